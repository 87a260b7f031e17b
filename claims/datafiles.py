"""Reading a user's data files (CSV or NPZ) without losing or repairing anything.

* CSV: one example per row, the label (or target) in the last column; a header row is
  recognised only if *every* cell is a name (letters, digits after the first letter, ``_``,
  ``-``, spaces), never a number, an empty cell or a boolean; a UTF-8 byte-order mark is
  removed. Cells are parsed as exact decimals or fractions (``2/7``) by
  :class:`fractions.Fraction` (never evaluated); an empty cell, a non-numeric cell, NaN, inf,
  a boolean, a complex number or a value that overflows float64 is an error naming its row
  and column. ``;`` and tabs separate cells too.
* NPZ: arrays named by the caller (``X``, ``y``), read with ``allow_pickle=False``; object,
  string, boolean and complex arrays are refused.

Files are checked before they are read: a folder, a binary file (NUL bytes in the first
8 KiB), a file that is not UTF-8, or one above :data:`MAX_BYTES` raises
:class:`~implicit_bias.theory.errors.DataFileError`, so a 200 MB binary is never read whole.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
>>> _ = p.write_text("x1,x2,label\\n2,0,1\\n0,1/2,-1\\n")
>>> rows, header = read_csv(p)
>>> header, rows[1]
(['x1', 'x2', 'label'], [Fraction(0, 1), Fraction(1, 2), Fraction(-1, 1)])
"""

from __future__ import annotations

import math
import re
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np

from implicit_bias.theory.errors import DataFileError

__all__ = ["MAX_BYTES", "read_csv", "read_npz", "load_table", "check_file"]

#: the largest data file read (bytes); larger files are refused before reading
MAX_BYTES = 64 * 1024 * 1024
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\- .]*$")
_BOOL = {"true", "false"}
_SPECIAL = {"nan", "inf", "+inf", "-inf", "infinity", "-infinity", "+infinity"}


def check_file(path: Path) -> Path:
    """``path`` if it is a readable regular file below :data:`MAX_BYTES`, else a
    :class:`~implicit_bias.theory.errors.DataFileError` saying why."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    if path.is_dir():
        raise DataFileError(f"{path} is a folder, not a data file")
    if not path.is_file():
        raise DataFileError(f"{path} is not a regular file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DataFileError(f"{path}: {size} bytes is above the limit of {MAX_BYTES} bytes "
                            "for a data file")
    if size == 0:
        raise DataFileError(f"{path} is empty")
    return path


def _cell(text: str, row: int, col: int) -> Fraction:
    t = text.strip()
    if not t:
        raise DataFileError(f"row {row}, column {col} is empty")
    low = t.lower()
    if low in _BOOL:
        raise DataFileError(f"row {row}, column {col} is a boolean ({t!r}), not a number")
    if low in _SPECIAL:
        raise DataFileError(f"row {row}, column {col} is {t!r}: data must be finite")
    if "j" in low and any(ch.isdigit() for ch in low):
        raise DataFileError(f"row {row}, column {col} looks complex ({t!r}): data must be real")
    try:
        v = Fraction(t)
    except (ValueError, ZeroDivisionError):
        raise DataFileError(f"row {row}, column {col} is not a number: {t[:40]!r}") from None
    try:
        if not math.isfinite(float(v)):
            raise OverflowError
    except OverflowError:
        raise DataFileError(f"row {row}, column {col} ({t[:40]}) overflows float64") from None
    return v


def _split(line: str) -> list[str]:
    return [c for c in re.split(r"[,;\t]", line)]


def read_csv(path) -> tuple[list[list[Fraction]], list[str] | None]:
    """(rows of exact Fractions, header names or None); see the module docstring."""
    path = check_file(path)
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise DataFileError(f"{path} is a binary file, not CSV text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") \
            from None
    text = text.removeprefix("\ufeff")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise DataFileError(f"{path} holds no rows")
    header = None
    n0, first = lines[0]
    cells = [c.strip() for c in _split(first)]
    if all(_NAME.match(c) and c.lower() not in _BOOL | _SPECIAL for c in cells):
        header = cells
        lines = lines[1:]
    rows = []
    for n, line in lines:
        rows.append([_cell(c, n, j + 1) for j, c in enumerate(_split(line))])
    if not rows:
        raise DataFileError(f"{path} holds a header and no data rows")
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        bad = next(i for i, r in enumerate(rows) if len(r) != len(rows[0]))
        raise DataFileError(f"{path}: rows have different lengths (data row {bad + 1} has "
                            f"{len(rows[bad])} cells, the first has {len(rows[0])})")
    if header is not None and len(header) != len(rows[0]):
        raise DataFileError(f"{path}: the header has {len(header)} names for "
                            f"{len(rows[0])} columns")
    return rows, header


def read_npz(path, names=("X", "y")) -> dict:
    """The arrays ``names`` of an NPZ file (float64; never unpickled)."""
    path = check_file(path)
    try:
        f = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataFileError(f"{path} is not a readable NPZ file ({str(exc)[:80]})") from None
    out = {}
    with f:
        for name in names:
            if name not in f:
                raise DataFileError(f"{path} has no array named {name!r} (it has "
                                    f"{sorted(f.files)})")
            try:
                a = f[name]
            except ValueError as exc:  # object arrays: refuse to unpickle
                raise DataFileError(f"{path}: array {name!r} needs pickle, which is never "
                                    f"used ({exc})") from None
            kind = a.dtype.kind
            if kind == "c":
                raise DataFileError(f"{path}: array {name!r} is complex; data must be real")
            if kind == "b":
                raise DataFileError(f"{path}: array {name!r} is boolean; data must be numbers")
            if kind not in "iuf":
                raise DataFileError(f"{path}: array {name!r} has dtype {a.dtype}; data must "
                                    "be numbers")
            out[name] = a.astype(float)
    return out


def load_table(path, *, exact: bool = False, npz_names=("X", "y")):
    """(X, y) from a CSV (features..., label) or an NPZ (arrays ``npz_names``).

    ``exact``: X as nested lists of Fractions (CSV only), else float arrays.
    """
    path = Path(path)
    if path.suffix.lower() == ".npz":
        if exact:
            raise DataFileError("the exact route needs a CSV file of decimal or fraction text "
                                "(NPZ holds binary floats)")
        a = read_npz(path, npz_names)
        return a[npz_names[0]], a[npz_names[1]]
    rows, _ = read_csv(path)
    if len(rows[0]) < 2:
        raise DataFileError(f"{path}: need at least two columns (features..., label)")
    X = [r[:-1] for r in rows]
    y = np.array([float(r[-1]) for r in rows])
    return (X if exact else np.array([[float(v) for v in r] for r in X])), y
