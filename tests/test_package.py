"""The package's shape: one import package, layers that import only downward, no private
imports across subpackages, no import cycles, and a wheel that works beside a ``theory.py``."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("theory", "numerics", "proofs", "claims")
#: what each layer may import from the package (its own layer always); proofs check the
#: theory's own symbolic forms, so they may import theory (never numerics or JAX)
ALLOWED = {"theory": set(), "proofs": {"theory"}, "numerics": {"theory"},
           "claims": {"theory", "numerics", "proofs"}}
#: third-party modules a layer must never import (at module level or anywhere)
FORBIDDEN = {"theory": {"jax", "optax"}, "proofs": {"jax", "optax"}}


def _modules():
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield layer, "implicit_bias." + ".".join(parts), path


def _imports(name: str, path: Path):
    """(imported module, is module level) for every import statement of a module."""
    tree = ast.parse(path.read_text())
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    top = set(id(n) for n in tree.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, id(node) in top
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            yield mod, id(node) in top
            for a in node.names:
                yield f"{mod}.{a.name}", id(node) in top


def test_layers_import_only_downward_and_nothing_private_across_layers():
    problems = []
    for layer, name, path in _modules():
        for mod, _ in _imports(name, path):
            root = mod.split(".")[0]
            if root in FORBIDDEN.get(layer, ()):
                problems.append(f"{name} imports {mod}")
            if not mod.startswith("implicit_bias."):
                continue
            other = mod.split(".")[1]
            if other in LAYERS and other != layer and other not in ALLOWED[layer]:
                problems.append(f"{name} imports {mod} (layer {other})")
            parts = mod.split(".")
            if other in LAYERS and other != layer and any(p.startswith("_") for p in parts[2:]
                                                          if p != "__init__"):
                problems.append(f"{name} imports the private {mod}")
    assert not problems, "\n".join(problems)


def test_no_import_cycles_between_modules():
    names = {name: path for _, name, path in _modules()}
    graph = {n: set() for n in names}
    for n, path in names.items():
        for mod, top in _imports(n, path):
            if top and mod in names and mod != n:
                graph[n].add(mod)
    # a package importing its own submodules at the end (re-exports) is not a cycle
    for n in graph:
        graph[n] = {m for m in graph[n] if not (m.startswith(n + ".") and n in names and
                                                 names[n].name == "__init__.py")}
    state: dict = {}

    def visit(n, stack):
        state[n] = 1
        for m in graph[n]:
            if state.get(m) == 1:
                raise AssertionError(f"import cycle: {' -> '.join(stack + [n, m])}")
            if m not in state:
                visit(m, stack + [n])
        state[n] = 2

    for n in graph:
        if n not in state:
            visit(n, [])


@pytest.mark.slow
def test_the_wheel_installs_one_package_that_works_beside_a_theory_py(tmp_path):
    """pip puts exactly one top-level import package (implicit_bias) in site-packages, and it
    imports from a folder whose own theory.py would shadow a top-level ``theory``."""
    wheels = tmp_path / "wheels"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(wheels), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = wheels.glob("implicit_bias-*.whl")
    with zipfile.ZipFile(wheel) as z:
        tops = {n.split("/")[0] for n in z.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"implicit_bias"}
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                           "--target", str(site), str(wheel)], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {p.name for p in site.iterdir() if not p.name.endswith(".dist-info")} == \
        {"implicit_bias", "bin"} - ({"bin"} if not (site / "bin").exists() else set())
    work = tmp_path / "research"
    work.mkdir()
    (work / "theory.py").write_text("LOCAL = True\n")
    code = (f"import sys; sys.path.insert(1, {str(site)!r}); import theory; assert theory.LOCAL; "
            "import implicit_bias.theory.svm as s, implicit_bias.claims as c; "
            f"assert s.__file__.startswith({str(site)!r}), s.__file__; "
            "print(s.max_margin([[2.0, 0.0], [0.0, 1.0]], [1, -1]).support.tolist())")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=work, capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[0, 1]"
