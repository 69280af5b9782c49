"""The apps' import rules: no function-level import (AppConfig.ready aside, where the models are
only just ready) and no cycle between modules."""

import ast
import pathlib

APPS = ("core", "pledges", "reviews", "publicity", "config")
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _modules() -> dict[str, pathlib.Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imported(name: str, path: pathlib.Path, node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    module = node.module or ""
    if node.level:
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        base = package[: len(package) - node.level + 1]
        module = ".".join(base + ([module] if module else []))
    return [module] + [f"{module}.{a.name}" for a in node.names]


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = {t for node in tree.body for t in _imported(name, path, node)}
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def test_it_finds_no_import_inside_a_function_but_in_ready():
    found = []
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name != "ready":
                found += [
                    f"{path.relative_to(ROOT)}:{sub.lineno}"
                    for sub in ast.walk(node)
                    if isinstance(sub, ast.Import | ast.ImportFrom)
                ]
    assert found == []


def test_it_finds_no_import_cycle():
    graph = _graph()
    done: set[str] = set()
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycles.append(trail[trail.index(name) :] + [name])
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, trail + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []
