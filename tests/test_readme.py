"""The README documents every URL parameter exactly as the code defines it."""

from __future__ import annotations

import re

from basewatch.state.urlstate import PARAMS
from tests.conftest import ROOT


def test_readme_parameter_table_matches_the_code():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- params:start -->", 1)[1].split("<!-- params:end -->", 1)[0]
    documented = re.findall(r"^\| `([a-z]+)`", table, flags=re.M)
    assert documented == [p.name for p in PARAMS]
    for p in PARAMS:
        row = next(line for line in table.splitlines() if line.startswith(f"| `{p.name}`"))
        assert ("(repeatable)" in row) == p.repeatable, p.name
        assert p.example in row and p.default in row, p.name


def test_readme_gives_the_two_commands_ci_uses():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
