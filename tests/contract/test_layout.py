"""The package layout keeps the one-way data flow that docs/contributing.md states."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "custseg"
SHARED = {"_base", "_tables", "_format", "_sklearn_compat", "_warnings", "_progress"}
# each part may import the parts listed before it (and the shared modules)
ORDER = [
    "datasets",
    "_aggregation",
    "_rule_based",
    "_learned",
    "_evaluation",
    "_value",
    "plotting",
    "report",
    "cli",
]
PRESENTATION = {"plotting", "report", "cli"}


def _part(path):
    relative = path.relative_to(PACKAGE)
    if len(relative.parts) > 1:
        return relative.parts[0]
    return relative.stem


def _custseg_imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] == "custseg":
                yield node.module.split("."), [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "custseg":
                    yield alias.name.split("."), []


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_top_level_has_at_most_eight_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_short(path):
    assert len(path.read_text().splitlines()) <= 450


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_data_flow(path):
    own = _part(path)
    for module, names in _custseg_imports(path):
        if len(module) == 1:  # "from custseg import X": the public API
            assert own in PRESENTATION or own == "__init__", (path, module)
            continue
        target = module[1]
        if target == own or own == "__init__" or target in SHARED:
            continue
        assert own not in SHARED, f"{path}: a shared module imports {module}"
        assert ORDER.index(target) < ORDER.index(own), f"{path} imports {module}"
        assert len(module) == 2, f"{path} reaches inside {'.'.join(module)}"
        assert not any(n.startswith("_") for n in names), (path, names)
        if own not in PRESENTATION:
            assert target not in PRESENTATION, (path, module)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_private_sklearn_only_through_compat(path):
    if path.name == "_sklearn_compat.py":
        return
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == "sklearn":
                assert not any(p.startswith("_") for p in parts), (path, node.module)
                assert not any(a.name.startswith("_") for a in node.names), (
                    path,
                    node.module,
                )
