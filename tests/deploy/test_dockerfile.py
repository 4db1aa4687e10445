"""The Dockerfile and .dockerignore, checked without Docker: what they run, copy, expose and leave out."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
MAKEFILE = ROOT / "Makefile"
APP_PATHS = ["app.py", "launcher.py", "pages", "basewatch", "data", "static", ".streamlit/config.toml"]
# Benchmark, synthetic generator, test-server helper, scripts and tests: never in the image.
DEV_ONLY_PATHS = ["tools", "tests", "scripts"]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: comments dropped, backslash continuations joined."""
    result, buffer = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue  # comment lines inside a continuation are ignored by Docker
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        keyword, _, args = buffer.partition(" ")
        result.append((keyword.upper(), args.strip()))
        buffer = ""
    assert not buffer, f"Dockerfile ends inside a continuation: {buffer!r}"
    return result


def exec_form(args: str) -> list[str]:
    assert args.startswith("["), f"use the exec (JSON) form so signals reach Streamlit: {args!r}"
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def make_run_command() -> list[str]:
    """`make run`'s command with $(PY) as the image's python and $(PORT) at its default."""
    text = MAKEFILE.read_text()
    port = re.search(r"^PORT\s*\?=\s*(\S+)", text, re.M).group(1)
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", text, re.M).group(1).strip().splitlines()
    assert len(recipe) == 1, f"`make run` is expected to be one command: {recipe}"
    words = shlex.split(recipe[0].strip())
    assert words[0] == "$(PY)", words
    return ["python"] + [w.replace("$(PORT)", port) for w in words[1:]]


@pytest.fixture(scope="module")
def steps() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text())


def only(steps, keyword: str) -> list[str]:
    return [args for kw, args in steps if kw == keyword]


def test_base_image_is_slim_python_311(steps):
    assert steps[0][0] == "FROM"
    assert re.fullmatch(r"python:3\.11-slim(-[a-z]+)?", steps[0][1]), steps[0][1]


def test_runs_as_a_non_root_user(steps):
    users = only(steps, "USER")
    assert users, "no USER instruction: the app would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), user
    keywords = [kw for kw, _ in steps]
    assert max(i for i, kw in enumerate(keywords) if kw == "USER") < keywords.index("CMD")
    created = " ".join(only(steps, "RUN"))
    assert re.search(rf"useradd\b.*\b{re.escape(user)}\b", created) or user.isdigit(), \
        f"user {user!r} is never created"


def test_requirements_are_installed_without_cache(steps):
    installs = [args for args in only(steps, "RUN") if "pip install" in args]
    assert any(re.search(r"pip install\b.*--no-cache-dir\b.*-r requirements\.txt\b", a) for a in installs), installs
    keywords = [(kw, args) for kw, args in steps]
    copy_req = next(i for i, (kw, args) in enumerate(keywords) if kw == "COPY" and "requirements.txt" in args)
    install = next(i for i, (kw, args) in enumerate(keywords) if kw == "RUN" and "-r requirements.txt" in args)
    assert copy_req < install


def test_copies_the_app_and_nothing_missing(steps):
    sources = []
    for args in only(steps, "COPY"):
        words = [w for w in shlex.split(args) if not w.startswith("--")]
        sources += [w.rstrip("/") for w in words[:-1]]
    for needed in APP_PATHS:
        assert needed in sources, f"{needed} is not copied into the image"
    for source in sources:
        assert (ROOT / source).exists(), f"COPY names {source}, which does not exist"
        assert not ignored(source), f"COPY names {source}, but .dockerignore excludes it"
    assert ".streamlit/secrets.toml" not in sources and ".streamlit" not in sources
    for tool_path in DEV_ONLY_PATHS:
        assert not any(s == tool_path or s.startswith(tool_path + "/") or s == "." for s in sources), \
            f"the image would ship {tool_path}/, which only developers use"


def test_healthcheck_probes_streamlit_without_curl(steps):
    checks = only(steps, "HEALTHCHECK")
    assert len(checks) == 1, checks
    check = checks[0]
    assert "http://127.0.0.1:8501/_stcore/health" in check
    command = exec_form(check.split("CMD", 1)[1].strip())
    assert command[:2] == ["python", "-c"], command
    assert "curl" not in check and "wget" not in check
    compile(command[2], "<healthcheck>", "exec")  # the inline Python is valid


def test_cmd_is_make_run(steps):
    cmds = only(steps, "CMD")
    assert len(cmds) == 1
    assert exec_form(cmds[0]) == make_run_command()
    assert "8501" in only(steps, "EXPOSE")[0].split()


def ignore_patterns() -> list[str]:
    return [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
            if line.strip() and not line.strip().startswith("#")]


def ignored(path: str) -> bool:
    """Whether .dockerignore excludes `path` or a folder above it (no `!` exceptions are used)."""
    parts = Path(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in ignore_patterns():
        assert not pattern.startswith("!"), "exceptions are not supported by this check"
        bare = pattern.removeprefix("**/")
        for candidate in candidates:
            if fnmatch.fnmatch(candidate, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatch(Path(candidate).name, bare):
                return True
    return False


def test_dockerignore_keeps_local_state_and_secrets_out():
    for path in [".venv", ".git", ".pytest_cache", ".ruff_cache", ".hypothesis", "tests",
                 "basewatch/__pycache__", ".streamlit/secrets.toml", "bench-results", *DEV_ONLY_PATHS]:
        assert ignored(path), f".dockerignore does not exclude {path}"
    for path in APP_PATHS + ["requirements.txt", "basewatch/shell/chrome.py", "static/vendor"]:
        assert not ignored(path), f".dockerignore excludes {path}, which the image needs"
