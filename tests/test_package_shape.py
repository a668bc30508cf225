"""The package's shape: files that hold one idea, functions a reader can follow.

Two rules (book/teaching.md, "How physgen is built"), checked on the source with ``ast``
so that a new module or function is covered without editing this file:

* no module of ``physgen`` is longer than ``MAX_MODULE_LINES`` lines;
* no function or method has more than ``MAX_FUNCTION_LINES`` code lines (lines that are
  neither blank, nor only a comment, nor part of its docstring; a nested function counts
  in its parent too), unless its docstring says why, as ``Long because: <reason>`` with a
  reason of at least three words.
"""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

import physgen

PACKAGE = Path(physgen.__file__).parent
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 60
# "Long because:" and a reason of at least three words.
REASON = re.compile(r"Long because:\s*(\S+\s+){2,}\S+")


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def _comment_or_blank_lines(source: str) -> set[int]:
    """Line numbers (1-based) that hold no code: blank, or only a comment."""
    code = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT):
            continue
        if tok.type in (tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        code.update(range(tok.start[0], tok.end[0] + 1))
    return set(range(1, source.count("\n") + 2)) - code


def _docstring_lines(node) -> set[int]:
    body = node.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return set(range(body[0].lineno, body[0].end_lineno + 1))
    return set()


def code_lines(node, empty: set[int]) -> int:
    """Code lines of a function: its ``def`` line to its end, without docstring,
    blank and comment-only lines (decorators not counted)."""
    span = set(range(node.lineno, node.end_lineno + 1))
    return len(span - empty - _docstring_lines(node))


def _functions(tree):
    """(qualified name, node) of every function and method, nested ones included."""
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((prefix + child.name, child))
                visit(child, prefix + child.name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def long_modules() -> list[str]:
    out = []
    for path in _modules():
        n = len(path.read_text().splitlines())
        if n > MAX_MODULE_LINES:
            out.append(f"{_name(path)}: {n} lines")
    return out


def long_functions() -> list[str]:
    out = []
    for path in _modules():
        source = path.read_text()
        empty = _comment_or_blank_lines(source)
        for name, node in _functions(ast.parse(source)):
            n = code_lines(node, empty)
            if n <= MAX_FUNCTION_LINES:
                continue
            if REASON.search(ast.get_docstring(node) or ""):
                continue
            out.append(f"{_name(path)}:{name} (line {node.lineno}): {n} code lines")
    return out


def test_the_walk_sees_the_package():
    names = [_name(p) for p in _modules()]
    assert "physgen/pendulum.py" in names and "physgen/nn/training.py" in names
    functions = [name for p in _modules() for name, _ in _functions(ast.parse(p.read_text()))]
    assert "simulate" in functions and "Trajectory.energy" in functions


def test_no_module_is_longer_than_800_lines():
    too_long = long_modules()
    assert not too_long, (
        f"modules over {MAX_MODULE_LINES} lines (split them by idea, re-exporting the "
        "public names):\n" + "\n".join(too_long)
    )


def test_no_function_is_longer_than_60_code_lines_without_a_reason():
    too_long = long_functions()
    assert not too_long, (
        f"functions over {MAX_FUNCTION_LINES} code lines (extract well-named helpers, or "
        "state 'Long because: <reason>' in the docstring):\n" + "\n".join(too_long)
    )


# The counting itself, on small examples.
SAMPLE = '''
def short(x):
    """Doc.

    More doc.
    """
    # a comment
    y = x + 1

    return (y,
            y)


class A:
    def method(self):
        def inner():
            return 1
        return inner()
'''


def test_code_lines_skip_docstring_comments_and_blanks():
    empty = _comment_or_blank_lines(SAMPLE)
    found = dict(_functions(ast.parse(SAMPLE)))
    assert set(found) == {"short", "A.method", "A.method.inner"}
    assert code_lines(found["short"], empty) == 4  # def, y = ..., return ( ... two lines
    assert code_lines(found["A.method"], empty) == 4
    assert code_lines(found["A.method.inner"], empty) == 2


@pytest.mark.parametrize(
    ("doc", "excused"),
    [
        ("Long because: a training loop read top to bottom.", True),
        ("Long because:\n    one loop, read in order.", True),
        ("Long because: it is.", False),
        ("Long because:", False),
        ("A long function.", False),
    ],
)
def test_the_reason_needs_three_words(doc, excused):
    assert bool(REASON.search(doc)) is excused
