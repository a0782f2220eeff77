"""`manage.py export_children`: many children's records into a folder, each as the app exports it, audited."""

import io
import json
import stat
import zipfile

import pytest
from django.core.management import CommandError, call_command

from tracker import export
from tracker.models import AuditEvent

from .factories import UserFactory, note

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("export_children", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def notes(child, guardian, pt):
    note(child, pt, visibility="team", body="TEAM-ONLY text about the family")
    note(child, pt, visibility="family", body="Shared with the family")


def _document(folder, child) -> dict:
    (path,) = folder.glob(f"skills-tracker-export-{child.public_id}-*.json")
    return json.loads(path.read_text())


def test_every_child_gets_the_familys_export_in_a_file_of_its_own(tmp_path, staff, child, outsider_child, notes):
    said = _run("--to", str(tmp_path), "--by", staff.email, "--all")
    assert sorted(p.name.split("-export-")[1][:36] for p in tmp_path.iterdir()) == sorted(
        [str(child.public_id), str(outsider_child.public_id)]
    )
    document = _document(tmp_path, child)
    assert document["exported_by"] == staff.email
    assert [n["body"] for n in document["notes"]] == ["Shared with the family"]
    assert "Exported 2 children to" in said


def test_care_team_scope_adds_the_care_team_only_notes(tmp_path, staff, child, notes):
    _run("--to", str(tmp_path), "--by", staff.email, "--child", str(child.public_id), "--care-team")
    bodies = {n["body"] for n in _document(tmp_path, child)["notes"]}
    assert bodies == {"TEAM-ONLY text about the family", "Shared with the family"}


def test_each_export_is_an_audit_event_naming_the_staff_account(tmp_path, staff, child, outsider_child):
    _run("--to", str(tmp_path), "--by", staff.email, "--child", str(child.public_id))
    event = AuditEvent.objects.get(action="exported")
    assert (event.child_id, event.actor_id) == (child.pk, staff.pk)
    assert "export_children" in event.summary and "the family's notes" in event.summary


def test_the_files_are_readable_by_their_owner_only_and_the_zip_is_the_apps(tmp_path, staff, child):
    _run("--to", str(tmp_path / "out"), "--by", staff.email, "--child", str(child.public_id), "--format", "zip")
    (path,) = (tmp_path / "out").iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o700
    names = zipfile.ZipFile(path).namelist()
    assert "README.txt" in names and f"{'notes'}.csv" in names
    assert set(export.SECTIONS) <= {name.removesuffix(".csv") for name in names}


@pytest.mark.parametrize("who", ["someone@example.org", "guardian"])
def test_only_an_active_staff_account_may_export(tmp_path, child, guardian, who):
    email = guardian.email if who == "guardian" else who
    with pytest.raises(CommandError, match="No active staff account"):
        _run("--to", str(tmp_path), "--by", email, "--all")
    assert list(tmp_path.iterdir()) == [] and not AuditEvent.objects.filter(action="exported").exists()


@pytest.mark.parametrize("wrong", ["not-a-uuid", "5b0c5c7e-2a7e-4a57-9a3e-1d1d1d1d1d1d"])
def test_an_unknown_child_stops_the_export_before_anything_is_written(tmp_path, staff, child, wrong):
    with pytest.raises(CommandError, match="nothing was exported"):
        _run("--to", str(tmp_path), "--by", staff.email, "--child", str(child.public_id), "--child", wrong)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_other_users_can_open_is_refused_before_anything_is_written(tmp_path, staff, child):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    with pytest.raises(CommandError, match="other users"):
        _run("--to", str(shared), "--by", staff.email, "--all")
    assert list(shared.iterdir()) == [] and not AuditEvent.objects.filter(action="exported").exists()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755


def test_nothing_is_overwritten(tmp_path, staff, child):
    _run("--to", str(tmp_path), "--by", staff.email, "--child", str(child.public_id))
    with pytest.raises(CommandError, match="exists already"):
        _run("--to", str(tmp_path), "--by", staff.email, "--child", str(child.public_id))


def test_progress_is_written_as_plain_lines_when_not_on_a_terminal(tmp_path, staff, child, outsider_child):
    said = _run("--to", str(tmp_path), "--by", staff.email, "--all")
    assert "export_children:  50% 1/2 children" in said and "export_children: 100% 2/2 children" in said
    assert _run("--to", str(tmp_path / "quiet"), "--by", staff.email, "--all", "--verbosity", "0") == ""


def test_an_archived_child_is_exported_with_all(tmp_path, staff, child):
    child.archived = True
    child.save(update_fields=["archived"])
    _run("--to", str(tmp_path), "--by", staff.email, "--all")
    assert _document(tmp_path, child)["child"]["archived"] is True


def test_a_staff_account_found_whatever_the_case_of_its_email(tmp_path, child):
    UserFactory(email="ops@clinic.example", is_staff=True)
    _run("--to", str(tmp_path), "--by", "OPS@clinic.example", "--all")
    assert len(list(tmp_path.iterdir())) == 1
