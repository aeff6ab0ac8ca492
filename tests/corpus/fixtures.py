"""The deterministic files the corpus servers work on, built fresh in a temporary directory.

Everything is fixed: file contents, modification times, the git author, committer and dates,
so the commit hashes and sizes the servers report are the same on every run and machine.
Paths differ per run; `cases.normalize` puts PLACEHOLDER in place of the real root.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

PLACEHOLDER = "/corpus"
"""What the real fixture root is called in recorded arguments and results."""

FIXED_TIME = 1_767_225_600  # 2026-01-01T00:00:00Z: every file's atime and mtime
GIT_DATE = "1767348000 +0000"  # 2026-01-02T10:00:00Z, in the one format both git and GitPython read
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada Corpus",
    "GIT_AUTHOR_EMAIL": "ada@corpus.example",
    "GIT_COMMITTER_NAME": "Ada Corpus",
    "GIT_COMMITTER_EMAIL": "ada@corpus.example",
}

# A 1x1 red PNG (what read_media_file returns as an image block).
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)

WORKSPACE_FILES: dict[str, str | bytes] = {
    "README.md": (
        "# Corpus workspace\n\nA small project the **filesystem** server reads.\n\n"
        "## Layout\n\n- `notes/`: plain text\n- `data/`: JSON and CSV\n- `src/`: code\n\n"
        "| file | what |\n|---|---|\n| todo.txt | a list |\n| config.json | settings |\n\n"
        "```sh\nmake run\n```\n"
    ),
    "notes/todo.txt": (
        "Buy milk\nCall the plumber\nWrite the quarterly report\n    - section one\n"
        "    - section two\nWater the plants\n"
    ),
    "notes/2026/january.txt": "New year, new notes.\nThe corpus was started.\n",
    "data/config.json": json.dumps(
        {
            "name": "corpus",
            "version": 3,
            "debug": False,
            "servers": ["filesystem", "git"],
            "limits": {"rows": 20},
        },
        indent=2,
    )
    + "\n",
    "data/people.csv": "name,role,since\nAda,engineer,2019\nGrace,admiral,1943\nLinus,maintainer,1991\n",
    "src/app.py": 'def greet(name: str) -> str:\n    """Say hello."""\n    return f"Hello, {name}!"\n',
    "images/pixel.png": PIXEL_PNG,
    "scratch/.keep": "",
}


def build(root: Path) -> dict[str, Path]:
    """Build every fixture under `root`; returns the paths the servers are started on."""
    paths = {"workspace": root / "workspace", "repo": root / "repo", "memory": root / "memory.jsonl"}
    build_workspace(paths["workspace"])
    build_repo(paths["repo"])
    return paths


def build_workspace(workspace: Path) -> None:
    """Nested directories, text, JSON, markdown, CSV, code and a PNG, with fixed times."""
    for name, content in WORKSPACE_FILES.items():
        path = workspace / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    _fix_times(workspace)


def _fix_times(top: Path) -> None:
    for dirpath, _dirs, files in os.walk(top, topdown=False):
        for name in files:
            os.chmod(Path(dirpath) / name, 0o644)  # get_file_info shows permissions: not the umask's
            os.utime(Path(dirpath) / name, (FIXED_TIME, FIXED_TIME))
        os.chmod(dirpath, 0o755)
        os.utime(dirpath, (FIXED_TIME, FIXED_TIME))


def git_env(home: Path) -> dict[str, str]:
    """The environment that makes git (and GitPython in mcp-server-git) deterministic: a fixed
    identity and dates, and no user or system config."""
    return {
        **GIT_IDENTITY,
        "GIT_AUTHOR_DATE": GIT_DATE,
        "GIT_COMMITTER_DATE": GIT_DATE,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "HOME": str(home),
    }


def build_repo(repo: Path) -> None:
    """A repository with history on three branches, a staged-nothing working tree with one
    modified file (an indented change) and one untracked file."""
    repo.mkdir(parents=True)
    env = {**os.environ, **git_env(repo.parent)}

    def git(*args: str, date: str | None = None) -> None:
        extra = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
        subprocess.run(["git", *args], cwd=repo, env={**env, **extra}, check=True, capture_output=True)

    def commit(message: str, files: dict[str, str], date: str) -> None:
        for name, content in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(content)
        git("add", *files)
        git("commit", "--quiet", "--no-gpg-sign", "-m", message, date=date)

    git("init", "--quiet", "--initial-branch=main")
    git("config", "core.autocrlf", "false")
    commit(
        "Add the greeting module",
        {"hello.py": HELLO_V1, "README.md": "# Hello\n\nPrints a greeting.\n"},
        "2026-01-01T09:00:00+00:00",
    )
    commit(
        "Document usage",
        {"README.md": "# Hello\n\nPrints a greeting.\n\n## Usage\n\n    python hello.py Ada\n"},
        "2026-01-01T10:30:00+00:00",
    )
    git("branch", "feature/shout")
    git("branch", "fix/typo")
    commit(
        "Add a changelog",
        {"CHANGELOG.md": "# Changelog\n\n## 1.0\n\n- First release\n"},
        "2026-01-01T12:00:00+00:00",
    )
    git("checkout", "--quiet", "feature/shout")
    commit(
        "Shout the greeting",
        {"hello.py": HELLO_V1.replace("Hello, {name}", "HELLO, {name.upper()}")},
        "2026-01-01T11:00:00+00:00",
    )
    git("checkout", "--quiet", "fix/typo")
    commit(
        "Fix a typo in the README",
        {"README.md": "# Hello\n\nPrints a friendly greeting.\n\n## Usage\n\n    python hello.py Ada\n"},
        "2026-01-01T11:15:00+00:00",
    )
    git("checkout", "--quiet", "main")
    (repo / "hello.py").write_text(HELLO_V2)
    (repo / "notes.txt").write_text("An untracked file.\n")


HELLO_V1 = '''"""Print a greeting."""

import sys


def greet(name):
    return f"Hello, {name}!"


def main():
    for name in sys.argv[1:] or ["world"]:
        print(greet(name))


if __name__ == "__main__":
    main()
'''

HELLO_V2 = '''"""Print a greeting."""

import sys


def greet(name, punctuation="!"):
    if not name:
        raise ValueError("a name is needed")
    return f"Hello, {name}{punctuation}"


def main():
    names = sys.argv[1:] or ["world"]
    for name in names:
        print(greet(name))


if __name__ == "__main__":
    main()
'''
