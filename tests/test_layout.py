"""The shape of the code: no import cycles inside the app, no view module importing another, and no private or
undocumented Django API anywhere in the app (it breaks silently on an upgrade)."""
import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "annotator"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _app_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in APP.rglob("*.py") if "migrations" not in p.parts}


def _imports(name: str, path: Path, modules: dict) -> set[str]:
    """The app modules a module imports, at its top level or inside functions alike."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found |= {c for c in candidates if c in modules and c != name}
    return found


def _graph() -> dict[str, set[str]]:
    modules = _app_modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None. Package __init__ files re-exporting their modules
    are not edges back into the package (importing annotator.services.marks runs annotator.services first)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if node.startswith(nxt + "."):
                continue  # a module importing its own package's __init__
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_app_has_no_import_cycles():
    assert _cycle(_graph()) is None


def test_no_view_module_imports_another():
    graph = _graph()
    for name, imported in graph.items():
        if name.startswith("annotator.views."):
            others = {m for m in imported if m.startswith("annotator.views.") and m != "annotator.views"}
            assert not others, f"{name} imports {sorted(others)}"


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


# Names of Django's internals that the app once reached for, and the shapes of private access in general.
PRIVATE = re.compile(
    r"\b(get_compiler|get_converters|apply_converters|set_cached_value|sql_with_params|_get_session_from_db"
    r"|_meta\.get_field\([^)]*\)\.(?:set|get)_cached_value|_state\.|_prefetched_objects_cache|_result_cache)\b"
)


def _app_sources():
    for path in sorted(_app_modules().values()):
        yield path, path.read_text()


@pytest.mark.parametrize("path,source", list(_app_sources()), ids=lambda v: v.name if isinstance(v, Path) else "")
def test_no_private_django_api(path, source):
    assert not PRIVATE.search(source), f"{path.name}: {PRIVATE.search(source).group()}"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django"):
            private = [a.name for a in node.names if a.name.startswith("_")]
            assert not private, f"{path.name} imports {private} from {node.module}"
            assert not any(part.startswith("_") for part in node.module.split(".")), f"{path.name}: {node.module}"


def test_the_private_api_check_catches_what_it_is_for():
    assert PRIVATE.search("self._compiler = qs.query.get_compiler(connection=connection)")
    assert PRIVATE.search("obj._meta.get_field(name).set_cached_value(obj, related)")
    assert not PRIVATE.search("Annotation._meta.get_field('note').max_length")
