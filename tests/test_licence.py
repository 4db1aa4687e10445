"""Licences and citation: code under Apache-2.0, data under CC BY 4.0, a CITATION.cff that its schema accepts."""

from __future__ import annotations

import hashlib
import json
import tomllib

import jsonschema
import pytest
import yaml

from basewatch import config
from basewatch.views import exports
from tests.conftest import ROOT

CFF_SCHEMA = ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json"
# SHA-256 of the Apache License 2.0 as published (https://www.apache.org/licenses/LICENSE-2.0.txt).
APACHE_2_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"


def citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_the_code_licence_is_the_apache_2_text_unchanged():
    assert hashlib.sha256((ROOT / "LICENSE").read_bytes()).hexdigest() == APACHE_2_SHA256


def test_citation_cff_is_valid_against_the_cff_1_2_schema():
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(citation())]
    assert errors == []


def test_the_schema_check_catches_a_broken_citation():
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    broken = {**citation(), "license": "not-a-licence", "colour": "red"}
    broken.pop("authors")
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) >= 3


def test_citation_names_both_licences_and_the_package_version():
    cff = citation()
    assert set(cff["license"]) == {config.CODE_LICENSE, config.DATA_LICENSE}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert cff["version"] == pyproject["project"]["version"]


def test_the_data_readme_states_the_data_licence():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert config.DATA_LICENSE_SHORT in text and config.DATA_LICENSE_URL in text


@pytest.mark.parametrize("version", ["2026-02-04+abc1234"])
def test_every_export_caption_carries_the_data_licence(version):
    assert version in exports.source_line(version) and config.DATA_LICENSE_SHORT in exports.source_line(version)
