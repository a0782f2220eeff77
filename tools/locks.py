"""The hash-locked requirements: write them with uv, check them without the network.

    python tools/locks.py write   # `make lock`: regenerate requirements.lock and requirements-dev.lock
    python tools/locks.py check   # `make lock-check`, CI and `make install`: fail when a lock is stale

Two installs a month apart must get the same packages, down to the last transitive dependency
(numpy, fonttools, asgiref, sqlparse...), so `make install` installs from the locks with
`pip install --require-hashes`. The locks are compiled from requirements.txt (runtime) and
requirements-dev.txt (development, which includes the runtime file) by `uv pip compile
--generate-hashes --universal`: one resolution for Linux, macOS and Windows, Python 3.11 and later.
The development lock is compiled with the runtime lock as its constraints, so both agree on every
package they share.

Each lock's first line records the SHA-256 of the requirement files it was compiled from. `check`
needs no network: it recomputes those digests, and compares every `name==version` pinned in the
requirement files with the lock (so a hand-edited lock is caught too). Standard library only: it runs
before the virtual environment exists.
"""

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_VERSION = "3.11"
INPUTS_PREFIX = "# inputs-sha256: "
# lock file -> the requirement files it is compiled from (the first is the one handed to uv)
LOCKS = {
    "requirements.lock": ["requirements.txt"],
    "requirements-dev.lock": ["requirements-dev.txt", "requirements.txt"],
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them (Django, django and DJANGO are one package)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def inputs_digest(files: list[str], root: Path = ROOT) -> str:
    """One SHA-256 over the requirement files, in the order given."""
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()


def pins(text: str) -> dict[str, str]:
    """`name==version` lines of a requirements or lock file, by normalised name."""
    found = {}
    for line in text.splitlines():
        match = PIN.match(line.strip())
        if match:
            found[normalise(match.group(1))] = match.group(2)
    return found


def problems(root: Path = ROOT) -> list[str]:
    """Why the locks are out of date with the requirement files; empty when they are current."""
    found = []
    for lock, files in LOCKS.items():
        path = root / lock
        if not path.exists():
            found.append(f"{lock} is missing.")
            continue
        text = path.read_text()
        first = text.splitlines()[0] if text else ""
        if first != INPUTS_PREFIX + inputs_digest(files, root):
            found.append(f"{lock} was not compiled from the current {' and '.join(files)}.")
        locked = pins(text)
        for name in files:
            for package, version in pins((root / name).read_text()).items():
                if locked.get(package) != version:
                    found.append(f"{name} pins {package}=={version}; {lock} has {locked.get(package, 'nothing')}.")
    runtime, dev = (pins((root / lock).read_text()) if (root / lock).exists() else {} for lock in LOCKS)
    for package, version in runtime.items():
        if dev and dev.get(package) != version:
            found.append(f"requirements.lock has {package}=={version}; requirements-dev.lock has {dev.get(package)}.")
    return found


def write(root: Path = ROOT) -> None:
    """Compile both locks with uv (PyPI), then record their inputs' digests."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        sys.exit("uv is not installed: `make lock` installs the version pinned in requirements-dev.txt.")
    constraints: list[str] = []
    for lock, files in LOCKS.items():
        command = [
            uv, "pip", "compile", files[0], *constraints,
            "--generate-hashes", "--universal", "--python-version", PYTHON_VERSION,
            "--index-url", "https://pypi.org/simple", "--custom-compile-command", "make lock",
            "--quiet", "--output-file", lock,
        ]  # fmt: skip
        subprocess.run(command, cwd=root, check=True)  # noqa: S603 (our own fixed arguments)
        path = root / lock
        path.write_text(f"{INPUTS_PREFIX}{inputs_digest(files, root)}\n{path.read_text()}")
        constraints = ["--constraint", lock]


def main(argv: list[str]) -> int:
    if argv[1:] == ["write"]:
        write()
        return 0
    if argv[1:] == ["check"]:
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        if found:
            print("Run `make lock` and commit both lock files.", file=sys.stderr)
            return 1
        print("requirements.lock and requirements-dev.lock are up to date.")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
