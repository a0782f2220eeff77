"""The hash-locked requirements stay in step with requirements*.txt (tools/locks.py, `make lock-check`)."""

import shutil

import pytest

from tools import locks

FILES = ["requirements.txt", "requirements-dev.txt", "requirements.lock", "requirements-dev.lock"]


@pytest.fixture
def checkout(tmp_path):
    """A copy of the requirement files and locks as committed."""
    for name in FILES:
        shutil.copy(locks.ROOT / name, tmp_path / name)
    return tmp_path


def test_the_committed_locks_are_current():
    assert locks.problems() == []


def test_every_lock_line_carries_a_hash():
    for lock in locks.LOCKS:
        text = (locks.ROOT / lock).read_text()
        assert text.count("==") <= text.count("--hash=sha256:"), lock


def test_a_new_requirement_makes_the_lock_stale(checkout):
    with (checkout / "requirements.txt").open("a") as file:
        file.write("tqdm==4.70.1\n")
    found = locks.problems(checkout)
    assert "requirements.lock was not compiled from the current requirements.txt." in found
    assert "requirements.txt pins tqdm==4.70.1; requirements.lock has nothing." in found


def test_a_hand_edited_lock_is_caught(checkout):
    lock = checkout / "requirements.lock"
    lock.write_text(lock.read_text().replace("\ndjango==5.2.19", "\ndjango==5.2.18"))
    assert any("django==5.2.19" in line and "5.2.18" in line for line in locks.problems(checkout))


def test_a_comment_change_in_requirements_needs_a_new_lock_too(checkout):
    """The digest covers the whole file: what the lock was compiled from is exactly what is committed."""
    with (checkout / "requirements-dev.txt").open("a") as file:
        file.write("# a comment\n")
    assert locks.problems(checkout) == [
        "requirements-dev.lock was not compiled from the current requirements-dev.txt and requirements.txt."
    ]


def test_runtime_and_dev_locks_agree(checkout):
    lock = checkout / "requirements-dev.lock"
    lock.write_text(lock.read_text().replace("\nsqlparse==", "\nsqlparse==0.0.1+x\n#"))
    assert any(line.startswith("requirements.lock has sqlparse==") for line in locks.problems(checkout))
