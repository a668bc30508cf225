"""physgen.report (the chapters' helpers) and the one progress bar of the training loops."""

import io

import pytest

from physgen import report
from physgen._progress import Progress


def test_md_table_is_markdown_with_one_row_per_entry():
    table = report.md_table(["model", "RMSE [rad]"], [["line", "0.31"], ["network", "0.05"]])
    lines = table.splitlines()
    assert lines[0] == "| model | RMSE [rad] |" and lines[1] == "|---|---|"
    assert len(lines) == 4 and lines[3] == "| network | 0.05 |"
    assert isinstance(table, str) and table._repr_markdown_() == str(table)


def test_md_table_rejects_bad_input_with_a_fix():
    with pytest.raises(ValueError, match=r"rows\[0\] has 1 cell"):
        report.md_table(["a", "b"], [["x"]])
    with pytest.raises(TypeError, match="format numbers first"):
        report.md_table(["a"], [[0.5]])
    with pytest.raises(TypeError, match="header"):
        report.md_table("a", [])
    with pytest.raises(ValueError, match="header is empty"):
        report.md_table([], [])


def test_wall_marks_timings_and_rejects_nonsense():
    assert report.wall(12.4) == "12 s (wall clock)"
    assert report.wall(0) == "0 s (wall clock)"
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="seconds="):
            report.wall(bad)
    for bad in (True, "3"):  # not a number: a TypeError, as every physgen check
        with pytest.raises(TypeError, match="seconds="):
            report.wall(bad)


def test_glue_generator_glues_the_same_keys_for_every_generator(monkeypatch):
    glued = {}
    monkeypatch.setattr(
        report, "glue", lambda name, value, display=True: glued.update({name: value})
    )
    figures = {
        "residual": 0.1,
        "floor": 0.09,
        "mmd_p": 0.5,
        "precision": 0.9,
        "recall": 0.8,
        "memorisation": 1.0,
    }
    report.glue_generator("a", figures, parameters=10, seconds=3.2)
    report.glue_generator("b", figures, parameters=4, seconds=0.0, floor=0.2)
    keys = {k[len("gen_a_") :] for k in glued if k.startswith("gen_a_")}
    assert keys == {*report.GENERATOR_ROW, "parameters", "train_time"}
    assert {k[len("gen_b_") :] for k in glued if k.startswith("gen_b_")} == keys
    assert glued["gen_a_floor"] == 0.09 and glued["gen_b_floor"] == 0.2
    assert glued["gen_a_train_time"] == "3 s (wall clock)" and glued["gen_a_parameters"] == 10


def test_progress_is_silent_unless_watched(monkeypatch, capsys):
    bar = Progress("fit", 10)
    for i in range(1, 11):
        bar.update(i)
    bar.close(10)
    assert capsys.readouterr().err == ""
    assert bar.text(5) == "fit: epoch 5/10 |##########          |"
    with pytest.raises(TypeError, match="progress"):
        Progress(True, 3)


def test_progress_draws_in_a_terminal_unless_switched_off(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    monkeypatch.setattr("sys.stderr", out)
    monkeypatch.setenv("PHYSGEN_PROGRESS", "1")
    bar = Progress("fit", 4)
    for i in range(1, 5):
        bar.update(i)
    text = out.getvalue()
    assert text.count("\r") == 5 and text.endswith("fit: epoch 4/4 |####################|\n")
    monkeypatch.setenv("PHYSGEN_PROGRESS", "0")
    out.seek(0)
    out.truncate()
    Progress("fit", 4).update(4)
    assert out.getvalue() == ""


def test_no_chapter_keeps_its_own_copy_of_the_helpers():
    """md_table, wall and glue live once, in physgen.report; every chapter imports them."""
    import re
    from pathlib import Path

    book = Path(__file__).resolve().parents[1] / "book"
    pages = sorted(book.glob("*.md"))
    assert len(pages) > 8
    for page in pages:
        text = page.read_text(encoding="utf-8")
        copies = re.findall(r"^\s*def (md_table|wall|glue)\(", text, flags=re.MULTILINE)
        assert not copies, f"book/{page.name} defines {copies}: import them from physgen.report"


def test_judged_row_has_a_cell_per_column_and_shows_tiny_residuals():
    from types import SimpleNamespace

    rep = SimpleNamespace(residual_median=0.0474, floor=2.2e-15, mmd_p=0.5234,
                          precision=0.981, recall=0.9767, memorisation=1.176)
    row = report.judged_row("flow", rep)
    assert len(row) == len(report.JUDGED_HEADER)
    assert row == ["flow", "0.047", "2.2e-15", "0.523", "0.98", "0.98", "1.18"]
