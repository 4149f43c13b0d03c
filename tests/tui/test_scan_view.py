"""Pilot test of `fwcheat tui --scan FILE`: the file's findings, each showing its entry, ready to run."""

from __future__ import annotations

from pathlib import Path

from conftest import settle, wait_for

from fwcheat.tui.app import FwcheatApp
from fwcheat.tui.widgets.pair_view import PairView
from fwcheat.tui.widgets.results import ResultsList
from fwcheat.tui.widgets.scan_view import ScanView

GLUON = """\
from mxnet import nd
a = nd.zeros((1, 2))
b = nd.concat(a, a, dim=0)  # \x1b[2J a comment with an escape
total = b.sum().asscalar()
c = nd.zz_unknown(b)
"""


async def test_scan_shows_findings_and_each_ones_entry(mini_kb: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.py"
    model.write_text(GLUON, encoding="utf-8")
    app = FwcheatApp(start_kernels=False, scan=str(model))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        view = app.query_one(ScanView)
        await wait_for(pilot, lambda: bool(view.findings), 30)
        assert not app.query_one(ResultsList).display  # the findings replace the search results
        assert [(f.line, f.api, f.entry) for f in view.findings] == [
            (2, "mx.nd.zeros", "concat-rows"),
            (3, "mx.nd.concat", "concat-rows"),
            (4, ".asscalar", "sum-all"),
            (5, "mx.nd.zz_unknown", None),
        ]
        # The file is drawn with its text escaped.
        assert "\\x1b[2J" in view.lines[2] and not any("\x1b" in line for line in view.lines)
        pair = app.query_one(PairView)
        await wait_for(pilot, lambda: pair.entry is not None, 30)
        assert pair.entry is not None and pair.entry.id == "concat-rows"
        await pilot.press("down", "down")
        await pilot.pause()
        assert pair.entry is not None and pair.entry.id == "sum-all"
        assert pair.side("mxnet").code.startswith("s = nd.ones((2, 3)")  # ready to run (ctrl+r)
        await pilot.press("down")
        await pilot.pause()
        assert pair.entry.id == "sum-all"  # no entry: the pair stays, the status says so
        assert "no entry yet" in str(app.status.render())


async def test_scan_of_an_unreadable_file_says_why(mini_kb: Path, tmp_path: Path) -> None:
    blob = tmp_path / "blob.py"
    blob.write_bytes(b"\x00\x01binary")
    app = FwcheatApp(start_kernels=False, scan=str(blob))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        source = app.query_one("#scan-source")
        await wait_for(pilot, lambda: "cannot scan" in str(source.render()), 30)
        assert "binary file" in str(source.render())
