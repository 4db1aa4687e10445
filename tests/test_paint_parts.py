"""tools.paint_parts measures copies of /map that each lack one part: every cut must still match the code."""

from __future__ import annotations

import re

import pytest

from basewatch import config
from tools.paint_parts import VARIANTS


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_cuts_exactly_one_place_in_todays_code(name):
    # A cut that no longer matches would make the tool stop, or worse measure the page it claims to cut.
    for rel, pattern, _replacement in VARIANTS[name][1]:
        text = (config.ROOT / rel).read_text(encoding="utf-8")
        assert len(re.findall(pattern, text, flags=re.S | re.M)) == 1, (name, rel, pattern)
