"""Pilot test of `fwcheat port SRC.py --tui`: source and draft side by side, the flagged lines listed."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from fwcheat.port.report import PortReport
from fwcheat.port.rewrite import port_code
from fwcheat.tui.port_view import PortApp, draft_todo_lines

GLUON = """\
from mxnet import nd
a = nd.zeros((1, 2))
b = nd.concat(a, a)  # \x1b[2J a comment with an escape
c = nd.zz_unknown(b)
d = b.reshape(shape)
"""


async def test_port_view_shows_both_files_and_the_flags() -> None:
    result = port_code(GLUON)
    report = PortReport("model.py", None, result.source_lines, result.edits)
    app = PortApp(GLUON, result.code, report)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        source = str(app.query_one("#port-source", Static).render())
        draft = str(app.query_one("#port-draft", Static).render())
        assert "nd.concat(a, a)" in source and "torch.cat([a, a], dim=1)" in draft
        assert "\\x1b[2J" in source and "\x1b" not in source + draft
        flags = app.query_one(OptionList)
        labels = [str(flags.get_option_at_index(i).prompt) for i in range(flags.option_count)]
        # `nd` is still used by the unported line: its import is kept, and flagged too.
        assert labels[0].startswith("line 1: mxnet [block-module] kept `from mxnet import nd`")
        assert labels[1].startswith("line 4: mx.nd.zz_unknown")
        assert labels[2].startswith("line 5: .reshape() [reshape-special-codes]")
        # Each flagged line has its TODO comment in the draft, highlighted there.
        todo = draft_todo_lines(result.code)
        assert len(todo) == 3 and result.code.split("\n")[todo[1] - 1].startswith(
            "# fwcheat: TODO(mx.nd.zz_unknown)"
        )
