"""What the first frame is made of, and what replaces it right after (issue 9: first frame <= 1.5x).

The first frame draws the device selector as a one-line stand-in and pauses the
cycle collector; both are undone as soon as it is drawn. Plain `fwcheat` builds
only the tui command's options.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from conftest import settle
from textual.widgets import Select

from fwcheat.tui.app import FwcheatApp
from fwcheat.tui.widgets.device_stub import DeviceStub
from fwcheat.tui.widgets.pair_view import PairView


class _Recorder(FwcheatApp):
    """Notes what the first frame held; quits once the pair view is there."""

    def __init__(self) -> None:
        super().__init__(start_kernels=False)
        self.at_first_frame: dict[str, object] = {}
        self.after: dict[str, object] = {}

    def on_ready(self) -> None:  # runs before FwcheatApp.on_ready (Textual calls both)
        self.at_first_frame = {
            "gc": gc.isenabled(),
            "stub": [(w.id, w.label) for w in self.query(DeviceStub)],
            "selects": len(self.query(Select)),
        }

    def on_pair_view_mounted(self, message: PairView.Mounted) -> None:
        self.after = {"gc": gc.isenabled(), "stubs": len(self.query(DeviceStub))}
        self.exit()


def test_first_frame_stub_and_paused_collector_are_undone_after_it(mini_kb: Path) -> None:
    assert gc.isenabled()
    app = _Recorder()
    app.run(headless=True, size=(160, 48))
    assert app.at_first_frame == {"gc": False, "stub": [("device-stub", "cpu")], "selects": 0}
    assert app.after == {"gc": True, "stubs": 0}
    assert gc.isenabled()  # also once run() has returned


async def test_the_real_device_select_replaces_the_stub(mini_kb: Path) -> None:
    app = FwcheatApp(start_kernels=False, device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.query(DeviceStub)
        select = app.query_one("#device", Select)
        assert select.value == "cpu"
        # Where the stand-in was: after the search box, in the top row.
        assert [w.id for w in app.query_one("#top").children] == ["search", "device"]


def test_plain_fwcheat_builds_only_the_tui_options() -> None:
    code = (
        "import sys, json\n"
        "import fwcheat.cli\n"
        "args = fwcheat.cli.parse_arguments([])\n"
        "print(json.dumps([args.command, args.query, args.no_kernels, "
        "sorted(m for m in sys.modules if m.startswith('fwcheat.commands.'))]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    command, query, no_kernels, modules = json.loads(done.stdout)
    assert (command, query, no_kernels) == ("tui", [], False)
    assert modules == ["fwcheat.commands._common", "fwcheat.commands.tui"]
