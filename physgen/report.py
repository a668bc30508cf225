"""Writing measured numbers into a chapter: tables, wall-clock times and glue.

Every chapter hands what its code measured to its text. The helpers that do
it live here once instead of on every page:

- :func:`md_table`: a Markdown table from a header and rows of strings,
  shown as a table in a notebook and pasted with ``{glue:md}`` in the book;
- :func:`wall`: a wall-clock time, marked so that the re-run of a chapter
  (nbval) knows it differs from run to run;
- :func:`glue`: myst-nb's ``glue`` (hand a value to the book's text), or,
  in a kernel without myst-nb (Colab, a plain Jupyter), just show it;
- :func:`glue_generator`: one generator's row of the closing comparison
  (book/08-takeaways.md), the same keys for every generator.

Besides physgen's input checks, only the standard library is imported here;
IPython and myst-nb are imported when a value is shown or glued.

Examples
--------
>>> from physgen.report import md_table, wall
>>> print(md_table(["model", "RMSE [rad]"], [["line", "0.31"], ["network", "0.05"]]))
| model | RMSE [rad] |
|---|---|
| line | 0.31 |
| network | 0.05 |
>>> wall(12.3)
'12 s (wall clock)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from physgen import _validation as check

__all__ = [
    "MarkdownTable",
    "md_table",
    "wall",
    "glue",
    "GENERATOR_ROW",
    "glue_generator",
    "JUDGED_HEADER",
    "judged_row",
]


class MarkdownTable(str):
    """A Markdown table: a ``str`` that a notebook shows rendered (``text/markdown``)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def _strings(values, what: str, where: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise TypeError(
            f"{where}: {what} must be a list of strings, got {type(values).__name__}; "
            'pass e.g. ["model", "RMSE [rad]"].'
        )
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise TypeError(
            f"{where}: every cell of {what} must be a string, got {bad[0]!r}; "
            'format numbers first, e.g. f"{x:.3f}".'
        )
    return list(values)


def md_table(header, rows) -> MarkdownTable:
    """A Markdown table from a header and rows of formatted strings.

    Parameters
    ----------
    header : sequence of str
        Column titles (with units in square brackets where there are units).
    rows : sequence of sequence of str
        One row per entry, each with as many cells as ``header``.

    Returns
    -------
    MarkdownTable
        The table's Markdown (a ``str``); a notebook renders it as a table.
    """
    head = _strings(header, "header", "md_table")
    if not head:
        raise ValueError("md_table: header is empty; pass at least one column title.")
    if isinstance(rows, str) or not isinstance(rows, Sequence):
        raise TypeError(
            f"md_table: rows must be a list of rows, got {type(rows).__name__}; "
            'pass e.g. [["line", "0.31"]].'
        )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, row in enumerate(rows):
        cells = _strings(row, f"rows[{i}]", "md_table")
        if len(cells) != len(head):
            raise ValueError(
                f"md_table: rows[{i}] has {len(cells)} cell(s) but the header has "
                f"{len(head)}; give every row one cell per column."
            )
        lines.append("| " + " | ".join(cells) + " |")
    return MarkdownTable("\n".join(lines))


def wall(seconds) -> str:
    """A wall-clock time for the text, e.g. ``'12 s (wall clock)'``.

    Timings differ in every run; the suffix marks them, so that the re-run of
    a chapter (tests/nbval_sanitize.cfg) masks exactly these values.
    """
    seconds = check.real(
        seconds, "seconds", "wall", nonnegative=True, fix="pass e.g. result.seconds."
    )
    return f"{seconds:.0f} s (wall clock)"


def glue(name: str, value: Any, display: bool = True) -> None:
    """Hand ``value`` to the book's text under ``name`` (myst-nb's ``glue``).

    In a kernel without myst-nb (Colab, a plain Jupyter) nothing is stored:
    the value is shown when ``display`` is true, as myst-nb's would be.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            try:
                from IPython.display import display as show
            except ImportError:  # pragma: no cover - Jupyter ships IPython
                print(value)
            else:
                show(value)
        return
    myst_glue(name, value, display=display)


#: The columns of the closing comparison (book/08-takeaways.md), each the name of
#: an attribute of :class:`physgen.GeneratorReport`.
GENERATOR_ROW = {
    "residual": "residual_median",
    "floor": "floor",
    "mmd_p": "mmd_p",
    "precision": "precision",
    "recall": "recall",
    "memorisation": "memorisation",
}


def glue_generator(name: str, report, *, parameters: int, seconds: float, floor=None) -> None:
    """Glue one generator's row of the closing comparison.

    Glues ``gen_{name}_{column}`` for every column of :data:`GENERATOR_ROW`,
    ``gen_{name}_parameters`` and ``gen_{name}_train_time``, which
    book/08-takeaways.md pastes; every generator gives the same keys.

    Parameters
    ----------
    name : str
        The row's key, e.g. ``"vae"``.
    report : GeneratorReport or Mapping
        What :func:`physgen.judge_generator` returned, or a mapping from the
        columns of :data:`GENERATOR_ROW` to numbers (e.g. means over seeds).
    parameters : int
        Trainable parameters (for the formula: the physical ones it samples).
    seconds : float
        Training time [s] (wall clock).
    floor : float, optional
        The real floor [rad], when it is not the report's own.
    """
    if isinstance(report, Mapping):
        figures = {key: report[key] for key in GENERATOR_ROW}
    else:
        figures = {key: getattr(report, attr) for key, attr in GENERATOR_ROW.items()}
    if floor is not None:
        figures["floor"] = floor
    for key, value in figures.items():
        glue(f"gen_{name}_{key}", float(value), display=False)
    glue(f"gen_{name}_parameters", int(parameters), display=False)
    glue(f"gen_{name}_train_time", wall(seconds), display=False)


#: The header of a table of judged generators (:func:`judged_row` gives its rows).
JUDGED_HEADER = (
    "generator",
    "residual [rad]",
    "floor [rad]",
    "MMD p-value",
    "precision",
    "recall",
    "memorisation",
)


def _rad(x: float) -> str:
    """An angle [rad] to three decimals, or in scientific notation below 0.001."""
    return f"{x:.3f}" if abs(x) >= 1e-3 or x == 0 else f"{x:.1e}"


def judged_row(name: str, report) -> list[str]:
    """One row of a table of judged generators, in the columns of :data:`JUDGED_HEADER`.

    Parameters
    ----------
    name : str
        The generator's name.
    report : GeneratorReport
        What :func:`physgen.judge_generator` returned.

    Returns
    -------
    list of str
    """
    return [
        str(name),
        _rad(report.residual_median),
        _rad(report.floor),
        f"{report.mmd_p:.3f}",
        f"{report.precision:.2f}",
        f"{report.recall:.2f}",
        f"{report.memorisation:.2f}",
    ]
