"""The README's Layout section names every top-level folder and every module of the package."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT


def layout_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Layout", 1)[1].split("\n## ", 1)[0]


def tracked_top_level_folders() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {line.split("/", 1)[0] for line in files.splitlines() if "/" in line and not line.startswith(".")}


def test_layout_names_every_top_level_folder():
    section = layout_section()
    missing = [f for f in sorted(tracked_top_level_folders()) if not re.search(rf"(^|\s){re.escape(f)}/", section)]
    assert missing == []


def test_layout_names_every_module_of_the_package():
    section = layout_section()
    modules = sorted(p.stem for p in (ROOT / "basewatch").rglob("*.py") if p.stem != "__init__")
    modules += sorted(p.name for p in (ROOT / "basewatch").iterdir() if p.is_dir() and p.name != "__pycache__")
    missing = [m for m in modules if not re.search(rf"\b{re.escape(m)}(\.py)?\b", section)]
    assert missing == []
