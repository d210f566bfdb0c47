"""The layers import in one direction only (loaders <- resolvers <- schema <- gateway), and every module of
them imports on its own in a fresh interpreter, so that no cycle hides behind the order of imports."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("loaders", "resolvers", "schema", "gateway")  # each may import only from its own layer or below


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(root: Path, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a file, relative ones resolved, TYPE_CHECKING ones too."""
    package = module_name(root, path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            found.append((node.lineno, ".".join([*base, *([node.module] if node.module else [])])))
    return found


def upward_imports(root: Path) -> list[str]:
    """Every import in the layers' packages under `root` that points to a layer above its own."""
    rank = {layer: index for index, layer in enumerate(LAYERS)}
    problems = []
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            for line, name in imported_modules(root, path):
                top = name.split(".")[0]
                if top in rank and rank[top] > rank[layer]:
                    problems.append(f"{path.relative_to(root)}:{line} imports {name} ({top} is above {layer})")
    return problems


def layer_modules(root: Path) -> list[str]:
    return sorted(module_name(root, path) for layer in LAYERS for path in (root / layer).rglob("*.py"))


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    assert upward_imports(ROOT) == []


def test_the_check_finds_an_upward_import(tmp_path: Path) -> None:
    for layer in LAYERS:
        (tmp_path / layer).mkdir()
        (tmp_path / layer / "__init__.py").write_text("")
    (tmp_path / "resolvers" / "fine.py").write_text("from loaders import base\nimport resolvers.other\n")
    (tmp_path / "loaders" / "base.py").write_text("from gateway.http import app\n")
    (tmp_path / "schema" / "sneaky.py").write_text("if True:\n    from ..gateway import app\n")
    problems = upward_imports(tmp_path)
    assert problems == [
        "loaders/base.py:1 imports gateway.http (gateway is above loaders)",
        "schema/sneaky.py:2 imports gateway (gateway is above schema)",
    ]


# imported once by the parent, before it forks a child per module: third-party code, never ours
_PRELOAD = "asyncpg, strawberry, graphql, starlette.applications, orjson, aiodataloader, uvicorn"
_IMPORT_EACH_ALONE = f"""
import os, sys, importlib, traceback
import {_PRELOAD}
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failed.append(name)
print("FAILED:" + ",".join(failed))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a fresh child per module")
def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    modules = layer_modules(ROOT)
    assert len(modules) > 50
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH_ALONE, *modules], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip().endswith("FAILED:"), result.stdout[-2000:] + result.stderr[-4000:]
    assert not any(name.split(".")[0] in LAYERS for name in _PRELOAD.replace(" ", "").split(","))
