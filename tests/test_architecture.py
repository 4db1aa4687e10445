"""The package's floors, read from the code: no import cycle, each floor imports only the floors beneath it.

The graph comes from the AST, imports inside functions included, so a cycle cannot hide in a
function-local import. Floors, bottom up:

    ground   config, text, i18n      what the vocabularies are, how things are written, in which language
    loading  basewatch.loading       data files -> a validated Dataset
    queries  basewatch.queries       questions asked of a Dataset (footprint, sources, aggregation, ...)
    state    basewatch.state         what a link can say: catalog, filters, URL state, pages, links
    views    basewatch.views         maps, charts, images, sentences, downloads (no Streamlit)
    snapshot basewatch.snapshot      the static copy of the canonical views (`python -m basewatch export`)
    shell    basewatch.shell         what every Streamlit page runs (the only floor importing Streamlit)
    web      basewatch.web           HTTP routes beside the app (never the shell or pages)
    entry    __main__, serve         command lines
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "basewatch"
FLOORS = ("ground", "loading", "queries", "state", "views", "snapshot", "shell", "web", "entry")
# What each floor may import besides the floors beneath it (the web routes are a room of their own:
# they sit beside the shell and must not import it).
NOT_ALLOWED = {"web": {"shell"}}
MAX_MODULE_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every basewatch module `path` imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    this = module_name(path) if path.is_relative_to(ROOT) else path.stem
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = this.split(".")[: -node.level] if not path.name == "__init__.py" else this.split(".")
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            # `from basewatch.x import y` names module basewatch.x.y when that exists, else basewatch.x
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != this and name != "basewatch":
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    known = set(modules())
    return {name: imports_of(path, known) for name, path in modules().items()}


def floor_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "ground"
    if parts[1] in ("config", "text", "i18n"):
        return "ground"
    if parts[1] in ("__main__", "serve"):
        return "entry"
    return parts[1]


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_package_has_no_import_cycle():
    assert find_cycle(graph()) is None


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_function_local_imports_are_in_the_graph(tmp_path):
    code = tmp_path / "m.py"
    code.write_text("def f():\n    from basewatch.state import catalog\n    return catalog\n")
    assert "basewatch.state.catalog" in imports_of(code, set(modules()))


def test_every_module_sits_on_a_known_floor():
    assert {floor_of(m) for m in modules()} <= set(FLOORS)


def test_each_floor_imports_only_the_floors_beneath_it():
    wrong = []
    for module, targets in graph().items():
        floor = FLOORS.index(floor_of(module))
        for target in targets:
            target_floor = floor_of(target)
            if FLOORS.index(target_floor) > floor or target_floor in NOT_ALLOWED.get(floor_of(module), ()):
                wrong.append(f"{module} ({floor_of(module)}) imports {target} ({target_floor})")
    assert wrong == []


def test_only_the_shell_imports_streamlit():
    users = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(m == "streamlit" or m.startswith("streamlit.") for m in mods):
                users.append(name)
    # serve hands over to Streamlit's command line; the web floor builds st.App
    assert {floor_of(u) for u in users} <= {"shell", "entry", "web"}, users


@pytest.mark.parametrize("folder", ["basewatch", "pages"])
def test_no_module_is_over_the_size_limit(folder):
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / folder).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_vocabulary_palettes_are_read_only_by_the_catalog_and_the_validator():
    """A translation or a new palette changes one place: labels and colours come from the catalog."""
    names = ("ACTORS", "ACTOR_COLORS", "COUNTRY_COLORS", "actor_color", "COUNTRY_NAMES", "SITE_STATUS_COLORS",
             "EVENT_TYPE_COLORS", "CLAIM_STATUS_MEANING", "SOURCE_KIND_MEANING", "CLAIM_STATUS_STYLE")
    allowed = {"basewatch.config", "basewatch.state.catalog", "basewatch.loading.schema"}
    readers = set()
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if name not in allowed and any(f"config.{n}" in text or f"import {n}" in text or f" {n}," in text
                                       for n in names):
            readers.add(name)
    for folder in ("pages", "tools", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if any(f"config.{n}" in text for n in names):
                readers.add(str(path.relative_to(ROOT)))
    assert readers == set()
