"""Tracebacks numbered as the code shown, setup not counted, library frames folded (issue #14, item 8).

The inputs are IPython tracebacks as a kernel sends them (colour codes and all),
for a snippet whose hidden setup is two lines long.
"""

from __future__ import annotations

from fwcheat.tracebacks import setup_line_count, tidy, tidy_message

C, G, R, E = "\x1b[36m", "\x1b[32m", "\x1b[31m", "\x1b[39m"

LIBRARY_ERROR = [
    f"{R}---------------------------------------------------------------------------{E}",
    f"{R}ShapeError{E}                                Traceback (most recent call last)",
    f"{C}Cell{E}{C} {E}{G}In[1]{E}{G}, line 4{E}\n{G}      1{E} import lib\n{G}      2{E} import other\n"
    f"{G}      3{E} x = lib.ones((2,3))\n{G}----> 4{E} y = lib.dot(x, x)\n",
    f"{C}File {E}{G}<string>:94{E}, in dot(lhs, rhs)\n",
    f"{C}File {E}{G}/site-packages/lib/ndarray.py:82{E}, in _invoke(handle)\n"
    "     80 out = f(\n---> 82 check(x)\n",
    f"{C}File {E}{G}/site-packages/lib/base.py:246{E}, in check_call(ret)\n--> 246     raise get_error()\n",
    f"{R}ShapeError{E}: dot shape error: [2,3] X [2,3]",
]

NESTED = [
    f"{R}-----{E}",
    f"{R}ZeroDivisionError{E}                         Traceback (most recent call last)",
    f"{C}Cell In[3], line 5{E}\n{G}      1{E} a=1\n{G}      2{E} b=2\n{G}      3{E} def f():\n"
    f"{G}      4{E}     return 1/0\n{G}----> 5{E} f()\n",
    f"{C}Cell In[3], line 4{E}, in f()\n{G}      3{E} def f():\n{G}----> 4{E}     return 1/0\n",
    f"{R}ZeroDivisionError{E}: division by zero",
]

INDENTATION = [
    f"  {C}Cell In[2], line 4{E}\n{R}    y = 2{E}\n    ^\n{R}IndentationError{E}: unexpected indent\n",
]


def test_setup_lines_are_counted_as_the_runner_joins_them() -> None:
    assert setup_line_count("") == 0
    assert setup_line_count("import lib\nimport other\n\n") == 2


def test_the_error_line_is_numbered_as_in_the_code_shown_and_library_frames_fold() -> None:
    text = "\n".join(tidy(LIBRARY_ERROR, 2))
    assert "\x1b[" not in text
    assert "code line 2" in text and "----> 2 y = lib.dot(x, x)" in text
    assert "      1 x = lib.ones((2,3))" in text
    assert "import lib" not in text and "import other" not in text  # setup lines left out
    assert "… 3 library frames …" in text
    assert "site-packages" not in text and "check_call" not in text
    assert text.rstrip().endswith("ShapeError: dot shape error: [2,3] X [2,3]")
    assert "Traceback (most recent call last)" not in text


def test_frames_of_the_snippet_keep_their_own_numbers() -> None:
    text = "\n".join(tidy(NESTED, 2))
    assert "code line 3" in text and "----> 3 f()" in text
    assert "code line 2, in f()" in text and "----> 2     return 1/0" in text
    assert "a=1" not in text and "line 5" not in text


def test_syntax_errors_and_tokenize_positions_are_renumbered() -> None:
    text = "\n".join(tidy(INDENTATION, 2))
    assert text.startswith("code line 2") and "y = 2" in text and "IndentationError" in text
    assert tidy_message("unexpected indent (3840095862.py, line 4)", 2) == "unexpected indent (line 2)"
    assert tidy_message("File <tokenize>:4 unindent does not match", 2) == "line 2 unindent does not match"
    # An error inside the setup says so instead of a negative or zero line number.
    assert tidy_message("invalid syntax (x.py, line 1)", 2) == "invalid syntax (line 1 of the setup)"
