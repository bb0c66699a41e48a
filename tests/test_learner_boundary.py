"""Learners know no truth class: what they need of the data reaches them as plain parameters."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import ecosystem.learners

ROOT = Path(ecosystem.learners.__file__).parents[2]
LEARNER_MODULES = sorted(
    f"ecosystem.learners.{m.name}" for m in pkgutil.iter_modules(ecosystem.learners.__path__)
) + ["ecosystem.learners"]


def module_file(name: str) -> Path | None:
    """The source file of project module ``name`` (None for a module outside the project)."""
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_names(name: str) -> set[str]:
    """Every module ``name`` imports, at the top or inside a function (relative ones resolved)."""
    path = module_file(name)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def project_imports(start: str) -> dict[str, str]:
    """Every project module reachable from ``start`` by imports, with the module importing it."""
    seen, todo = {start: start}, [start]
    while todo:
        current = todo.pop()
        for name in imported_names(current):
            ours = name.split(".")[0] in {"ecosystem", "agents"}
            if ours and name not in seen and module_file(name) is not None:
                seen[name] = current
                todo.append(name)
    return seen


def test_every_learner_module_is_scanned():
    assert {"ecosystem.learners.linear", "ecosystem.learners.transformer_sample"} <= set(
        LEARNER_MODULES
    )


@pytest.mark.parametrize("module", LEARNER_MODULES)
def test_no_learner_module_reaches_a_truth_module(module):
    reached = project_imports(module)
    truth = {name: by for name, by in reached.items() if name.startswith("ecosystem.truth")}
    assert not truth, f"{module} reaches truth modules (module: imported by): {truth}"


def _learner_classes():
    for module in LEARNER_MODULES[:-1]:
        for name, cls in inspect.getmembers(importlib.import_module(module), inspect.isclass):
            if name.endswith("Learner") and cls.__module__ == module:
                yield cls


@pytest.mark.parametrize("cls", list(_learner_classes()), ids=lambda c: c.__name__)
def test_learners_take_neither_a_truth_nor_an_unused_seed(cls):
    params = inspect.signature(cls.__init__).parameters
    assert "truth" not in params and "seed" not in params, list(params)
