"""The repository itself: no tracked file names a folder of the machine it was written on.

A path into a build machine's workspace, someone's home or profile folder or a
temporary folder, in a docstring, a README or a test, works on one machine only and
leaks who built it. System paths (``/usr/bin/chromium``, ``/dev/null``) are fine and
not matched.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests import REPO_ROOT

# Folders that only exist on some machine. Each pattern is written so that it does not
# match its own source text (``(?:...)`` breaks the literal), so this file needs no exception.
# A path starts after whitespace, a quote, ``=``, ``(`` etc., never inside a URL
# (``https://host/home/...``) or a relative path (``tests/tmp/...``).
_START = r"(?<![\w.:/~$-])"
MACHINE_PATHS = {
    "a build machine's workspace": _START + r"/(?:work)/",
    "a home folder": _START + r"/(?:home)/[\w.-]+/",
    "root's home folder": _START + r"/(?:root)/",
    "a temporary folder": _START + r"/(?:tmp)/[\w.-]",
    "a macOS home folder": _START + r"/(?:Users)/[\w.-]+/",
    "a macOS temporary folder": _START + r"/(?:private/)?var/(?:folders)/",
    "a WSL mount of a Windows drive": _START + r"/(?:mnt)/[a-z]/",
    "a Windows profile folder": r"\b[A-Za-z]:(?:\\\\|\\|/)(?:Users|Documents and Settings)(?:\\\\|\\|/)",
}
PATTERN = re.compile("|".join(f"(?:{p})" for p in MACHINE_PATHS.values()), re.IGNORECASE)

# (tracked file, exact text of the hit) that are legitimate, each with the reason. Empty today:
# the absolute paths the repository does use are system paths the patterns leave alone
# (``/usr/bin/chromium`` in the browser tests, ``/dev/null`` in the Makefile, shebangs).
ALLOWED: dict[tuple[str, str], str] = {}


def machine_paths(text: str) -> list[str]:
    """The absolute machine paths in ``text`` (the matched prefixes)."""
    return [m.group(0) for m in PATTERN.finditer(text)]


# The samples are assembled from ROOT and DRIVE so that this file's own text has no hit.
ROOT, DRIVE = "/", "C:"


@pytest.mark.parametrize(
    "text",
    [
        f"Recipe (``{ROOT}work/shared/data/README.md``)",
        f"MAKE_REPORT_DATA={ROOT}home/alice/data make report",
        f'open("{ROOT}root/.cache/x")',
        f"see {ROOT}tmp/pytest-of-root/pytest-3/data",
        f"cd {ROOT}Users/bob/src/make-report",
        f"{ROOT}private/var/folders/xy/T/tmp1234",
        f"{ROOT}mnt/c/Users/bob/data",
        rf"{DRIVE}\Users\bob\data",
        rf'"{DRIVE}\\Users\\bob\\data"',
        f"{DRIVE.lower()}{ROOT}users/bob/data",
    ],
)
def test_machine_paths_are_found(text):
    assert machine_paths(text), text


@pytest.mark.parametrize(
    "text",
    [
        "/usr/bin/chromium",
        "cmd >/dev/null 2>&1",
        "#!/usr/bin/env bash",
        "MAKE_REPORT_DATA=/path/to/archives make report",
        "MAKE_REPORT_DATA=../shared/data",
        "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        "https://example.org/home/alice/page.html",
        "tests/tmp/file and report/work/x and ~/work/x",
        "tmp_path / 'data'",
    ],
)
def test_ordinary_paths_are_not_machine_paths(text):
    assert machine_paths(text) == []


def tracked_text_files() -> list[str]:
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [name for name in out.split("\0") if name]


def test_no_tracked_file_names_a_machine_path():
    files = tracked_text_files()
    assert "README.md" in files and "report/data/reuters.py" in files  # the listing worked
    hits = []
    for name in files:
        path = REPO_ROOT / name
        if not path.is_file():  # deleted in the working tree, not yet committed
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # not text we write
        for number, line in enumerate(text.splitlines(), 1):
            for found in machine_paths(line):
                if (name, found) not in ALLOWED:
                    hits.append(f"{name}:{number}: {found!r} in {line.strip()[:120]!r}")
    assert not hits, "absolute machine paths in tracked files:\n" + "\n".join(hits)
