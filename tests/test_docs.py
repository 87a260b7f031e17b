"""Every docstring example and the README's Python blocks run as written."""

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from implicit_bias import claims, numerics, proofs, theory

MODULES = sorted(
    m.name
    for pkg in (theory, numerics, proofs, claims)
    for m in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + ".")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0


def test_readme_python_blocks_run():
    readme = Path(__file__).resolve().parents[1] / "README.md"
    blocks = re.findall(r"```python\n(.*?)```", readme.read_text(), flags=re.S)
    assert len(blocks) >= 2
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # our own documentation
