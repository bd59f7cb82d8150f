"""The shape of the code (issue 19): no import cycle in the app, no view module importing another, exports and
imports reached through the exchange package's entry points, no two classes with one name, no private Django API.

The view modules once imported each other's private helpers, the exports' modules imported each other, the admin
reached into a view module for the download, three classes were named Placement, and four modules leaned on
Django's internals. These tests read the app's source (ast), so that none of it comes back.
"""

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "annotator"


def _name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_name(path): path for path in APP.rglob("*.py") if "migrations" not in path.parts}


def _imported(name: str, path: Path, modules: dict) -> set[str]:
    """The app modules a module imports, at its top level or inside functions alike."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found |= {c for c in candidates if c in modules and c != name}
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imported(name, path, modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None. A module importing its own package's __init__ is no edge
    back into the package (importing annotator.exchange.query runs annotator.exchange first)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if node.startswith(nxt + "."):
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert _cycle({"p": {"p.m"}, "p.m": {"p"}}) is None


def test_the_app_has_no_import_cycles():
    assert _cycle(_graph()) is None


def test_no_view_module_imports_another():
    # What two views share is a read (reads.py), a page's composition (document_page.py) or a service.
    for name, imported in _graph().items():
        if name.startswith("annotator.views."):
            others = {m for m in imported if m.startswith("annotator.views.")}
            assert not others, f"{name} imports {sorted(others)}"


def test_nothing_but_the_urls_imports_a_view():
    for name, imported in _graph().items():
        if not name.startswith(("annotator.views", "annotator.urls")):
            assert not any(m.startswith("annotator.views") for m in imported), name


def test_exports_are_written_only_through_the_exchange_entry_point():
    # The view, the admin's actions and the command call exchange.export (or download): the writers and the walks
    # over marks are the package's own business, so the choice of format is made in one place.
    inner = {"annotator.exchange.writers", "annotator.exchange.query"}
    for name, imported in _graph().items():
        if not name.startswith("annotator.exchange"):
            assert not imported & inner, f"{name} imports {sorted(imported & inner)}"
    graph = _graph()
    for user in ("annotator.admin", "annotator.views.exports", "annotator.management.commands.export_annotations"):
        assert "annotator.exchange" in graph[user] and not any(
            m.startswith("annotator.views") for m in graph[user] - {user}
        )


def test_no_two_classes_of_the_app_share_a_name():
    defined = defaultdict(list)
    for name, path in _modules().items():
        for node in ast.parse(path.read_text()).body:
            # Django finds a management command by its module and the class name Command.
            if isinstance(node, ast.ClassDef) and not (".commands." in name and node.name == "Command"):
                defined[node.name].append(name)
    assert {cls: where for cls, where in defined.items() if len(where) > 1} == {}


# Names of Django's internals that the app once reached for, and the shapes of private access in general.
PRIVATE = re.compile(
    r"\b(get_compiler|get_converters|apply_converters|set_cached_value|sql_with_params|_get_session_from_db"
    r"|_meta\.get_field\([^)]*\)\.(?:set|get)_cached_value|_state\.|_prefetched_objects_cache|_result_cache)\b"
)


@pytest.mark.parametrize("path", sorted(_modules().values()), ids=lambda path: str(path.relative_to(APP)))
def test_no_private_django_api(path):
    source = path.read_text()
    found = PRIVATE.search(source)
    assert not found, f"{path.name}: {found and found.group()}"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django"):
            private = [alias.name for alias in node.names if alias.name.startswith("_")]
            assert not private, f"{path.name} imports {private} from {node.module}"
            assert not any(part.startswith("_") for part in node.module.split(".")), f"{path.name}: {node.module}"


def test_the_private_api_check_catches_what_it_is_for():
    assert PRIVATE.search("self._compiler = qs.query.get_compiler(connection=connection)")
    assert PRIVATE.search("obj._meta.get_field(name).set_cached_value(obj, related)")
    assert not PRIVATE.search("Annotation._meta.get_field('note').max_length")


TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_no_template_comment_spans_lines(path):
    # Django's {# #} comment is one line only: one over several lines is shown on the page as text.
    for number, line in enumerate(path.read_text().splitlines(), 1):
        opened = line.rfind("{#")
        assert opened == -1 or "#}" in line[opened:], f"line {number}: use {{% comment %}} over several lines"
