"""The apps' import rules: no function-level import (AppConfig.ready aside, where the models are
only just ready) and no cycle between modules. An edge is any import run when the module loads,
an import under `if TYPE_CHECKING:`, a model read through `apps.get_model`, and the packages
whose `__init__` an import runs first."""

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


def _is_type_checking(node: ast.stmt) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements run on import, and those under `if TYPE_CHECKING:`: a type checker (and the
    next reader) follows those as much as the interpreter follows the others."""
    found = []
    for node in body:
        found.append(node)
        if isinstance(node, ast.If | ast.Try):
            found += _module_level(node.body + node.orelse)
        if isinstance(node, ast.Try):
            for handler in node.handlers:
                found += _module_level(handler.body)
    return found


def _model_modules(modules: dict[str, pathlib.Path]) -> dict[tuple[str, str], str]:
    """(app label, model class name) → the module defining it, for `apps.get_model`."""
    found = {}
    for name, path in modules.items():
        parts = name.split(".")
        if "models" not in parts:
            continue
        label = parts[parts.index("models") - 1]
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                found[(label, node.name)] = name
    return found


def _registry_reads(tree: ast.Module) -> list[tuple[str, str]]:
    """Every `apps.get_model("app", "Model")` / `apps.get_model("app.Model")`, wherever it is:
    a model read through the app registry is an import all the same."""
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
        ):
            continue
        args = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if len(args) == 1 and "." in args[0]:
            args = args[0].split(".", 1)
        assert len(args) == 2, f"get_model without literal names at line {node.lineno}"
        found.append((args[0], args[1]))
    return found


def _with_packages(name: str, target: str, modules: dict[str, pathlib.Path]) -> set[str]:
    """`target` and the packages Python runs first to import it (their `__init__`), but not
    the ones `name` itself lies in (already being imported)."""
    found = {target}
    parts = target.split(".")
    for i in range(1, len(parts)):
        package = ".".join(parts[:i])
        if package in modules and not (name == package or name.startswith(package + ".")):
            found.add(package)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    models = _model_modules(modules)
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = {t for node in _module_level(tree.body) for t in _imported(name, path, node)}
        for label, model in _registry_reads(tree):
            assert (label, model) in models, f"{name}: get_model({label!r}, {model!r})"
            targets.add(models[(label, model)])
        graph[name] = set()
        for target in targets:
            if target in modules and target != name:
                graph[name] |= _with_packages(name, target, modules) - {name}
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


def test_it_sees_the_circles_a_top_level_reading_would_miss(tmp_path, monkeypatch):
    for app in ("one", "two"):
        (tmp_path / app).mkdir()
    (tmp_path / "one" / "__init__.py").write_text("from .models import Thing\n")
    (tmp_path / "one" / "models.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from two.rules import x\n"
        "class Thing:\n    pass\n"
    )
    (tmp_path / "two" / "__init__.py").write_text("")
    (tmp_path / "two" / "rules.py").write_text(
        "from django.apps import apps\n\ndef x():\n    return apps.get_model('one', 'Thing')\n"
    )
    (tmp_path / "two" / "views.py").write_text("from one.models import Thing\n")
    monkeypatch.setattr(__name__ + ".ROOT", tmp_path)
    monkeypatch.setattr(__name__ + ".APPS", ("one", "two"))
    graph = _graph()
    assert graph["one.models"] == {"two.rules", "two"}
    assert graph["two.rules"] == {"one.models", "one"}
    assert graph["two.views"] == {"one.models", "one"}
