"""Columns (a dict of equal-length lists, with DataFrame conversions) and Svg (a str that
notebooks display as a picture)."""

import csv
import io
import json
import math
from typing import Any, Dict, List


class Columns(Dict[str, List[Any]]):
    """Columnar data: column name -> list of values, every list as long.

    A plain dict, so it needs nothing installed; ``to_pandas()`` and ``to_polars()`` convert it
    when those libraries are installed.
    """

    def to_pandas(self) -> Any:
        """A pandas.DataFrame of the columns (needs pandas)."""
        import pandas

        return pandas.DataFrame(dict(self))

    def to_polars(self) -> Any:
        """A polars.DataFrame of the columns (needs polars)."""
        import polars

        return polars.DataFrame(dict(self), strict=False)

    @property
    def rows(self) -> int:
        """The number of rows."""
        return len(next(iter(self.values()), []))

    def __repr__(self) -> str:
        return f"<meshsim.Columns: {self.rows} rows × {len(self)} columns: {', '.join(list(self)[:6])}{', ...' if len(self) > 6 else ''}>"


class Svg(str):
    """An SVG document: a str, shown as a picture by Jupyter."""

    def _repr_svg_(self) -> str:
        return str(self)


def from_jsonl(text: str) -> Columns:
    """Columns of JSON lines: every key any line has, in first-seen order; None where a line
    has no such key."""
    entries = [json.loads(line) for line in text.splitlines() if line]
    names: Dict[str, None] = {}
    for e in entries:
        for k in e:
            names.setdefault(k, None)
    return Columns({k: [e.get(k) for e in entries] for k in names})


def _typed(cells: List[str]) -> List[Any]:
    """A CSV column's cells typed: all integers -> int; numbers or empty cells (at least one
    number) -> float, empty as NaN; else the strings."""
    try:
        return [int(c) for c in cells]
    except ValueError:
        pass
    if any(c != "" for c in cells):
        try:
            return [float(c) if c != "" else math.nan for c in cells]
        except ValueError:
            pass
    return list(cells)


def from_csv(text: str) -> Columns:
    """Columns of a CSV document with a header row (meshsim's runs.csv, points.csv)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return Columns()
    header, body = rows[0], rows[1:]
    return Columns({h: _typed([r[i] for r in body]) for i, h in enumerate(header)})
