"""No escape sequence from a knowledge file or a kernel reaches the terminal.

Run output, verify reports and the REPL are rendered into a rich console
that believes it is a terminal; the TUI runs headless and its screen is
exported. Apart from the colour codes rich itself writes, no control
character may come out, and what was hidden is shown visibly (``\\x1b``).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from fwcheat.kernels.base import ErrorInfo, ExecutionResult, OutputEvent, Status
from fwcheat.render_run import print_results, report_details, report_line
from fwcheat.verify import EntryReport, check_snippet

pytestmark = pytest.mark.timeout(120)

OSC_TITLE = "\x1b]2;PWNED-TITLE\x1b\\"
CLEAR = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;aGk=\x07"
HOSTILE = f"a {OSC_TITLE} b {CLEAR} c {CLIPBOARD} d \x9b2J e \u202eevil\n"
_SGR = re.compile(r"\x1b\[[0-9;]*m")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal() -> Console:
    return Console(file=io.StringIO(), width=140, force_terminal=True, color_system="truecolor")


def written(console: Console) -> str:
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


def assert_harmless(text: str) -> None:
    leftover = _CONTROL.findall(_SGR.sub("", text).replace("\r\n", "\n"))
    assert not leftover, leftover[:5]
    assert "\\x1b]2;PWNED-TITLE" in text, "the hidden sequence is shown, visibly"


def hostile_result() -> ExecutionResult:
    return ExecutionResult(
        Status.ERROR,
        [
            OutputEvent("stdout", HOSTILE),
            OutputEvent("stderr", HOSTILE),
            OutputEvent("result", HOSTILE),
            OutputEvent("display", HOSTILE),
            OutputEvent("image", f"/tmp/x{CLEAR}.png"),
        ],
        error=ErrorInfo(f"Evil{CLEAR}", HOSTILE, [f"\x1b[31mTraceback{OSC_TITLE}\x1b[0m", HOSTILE]),
    )


def test_run_output_is_shown_not_obeyed() -> None:
    console = terminal()
    print_results(console, {"pytorch": hostile_result(), "mxnet": hostile_result()})
    assert_harmless(written(console))


def test_verify_report_is_shown_not_obeyed() -> None:
    differs = check_snippet("pytorch", ExecutionResult(Status.OK, [OutputEvent("stdout", HOSTILE)]), "x\n")
    failed = check_snippet("mxnet", hostile_result(), None)
    report = EntryReport(entry_id="e", checks={"pytorch": differs, "mxnet": failed}, warnings=[HOSTILE])
    assert report.status == "fail"
    console = terminal()
    console.print(report_line(report))
    console.print(report_details(report))
    assert_harmless(written(console))


def test_repl_output_is_shown_not_obeyed() -> None:
    from fwcheat.repl.render import CellPrinter

    console = terminal()
    printer = CellPrinter(console, 1)
    for event in hostile_result().events:
        printer.on_output(event)
    printer.finish(hostile_result())
    text = written(console)
    assert_harmless(text)
    assert "\x1b[31m" in text or "\x1b[38;2;" in text  # IPython's traceback colours still work


def test_json_stays_exact() -> None:
    from fwcheat.run import EntryRun

    outcome = EntryRun(results={"pytorch": hostile_result()})
    assert HOSTILE in outcome.to_dict()["results"]["pytorch"]["stdout"]


HOSTILE_ENTRY = """\
id: hostile-entry
title: "Osctest \\e]2;PWNED-TITLE\\e\\\\ \\e[2J"
title_zh: "标题 \\e[5m"
summary: "sum \\e]52;c;aGk=\\a"
notes:
  - "note \\x9b2J \\u202eevil"
snippets:
  pytorch:
    code: "print('hi')  # \\e[2J"
  mxnet:
    code: "print('hi')  # \\e]2;PWNED-TITLE\\e\\\\"
"""

PLAIN_ENTRY = """\
id: plain-entry
title: Plain
title_zh: 普通
summary: A plain entry.
snippets:
  pytorch:
    code: x = 1
"""


@pytest.fixture
def hostile_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import fwcheat.knowledge.sources as sources
    import fwcheat.store as store

    bundled = tmp_path / "bundled" / "misc"
    bundled.mkdir(parents=True)
    (bundled / "plain-entry.yaml").write_text(PLAIN_ENTRY, encoding="utf-8")
    user = tmp_path / "config" / "fwcheat" / "knowledge" / "misc"
    user.mkdir(parents=True)
    (user / "hostile-entry.yaml").write_text(HOSTILE_ENTRY, encoding="utf-8")
    monkeypatch.setattr(sources, "bundled_root", lambda: str(bundled.parent))
    monkeypatch.setattr(store, "bundled_root", lambda: str(bundled.parent))
    monkeypatch.setenv("FWCHEAT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("FWCHEAT_KNOWLEDGE_PATH", raising=False)
    return user / "hostile-entry.yaml"


async def _settle(pilot: object) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    for _ in range(200):
        if pilot.app.query("#pair"):
            break
        await pilot.pause(0.02)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)
    await pilot.app.workers.wait_for_complete()


async def test_tui_shows_hostile_text_visibly(hostile_kb: Path) -> None:
    from fwcheat.tui.app import FwcheatApp
    from fwcheat.tui.widgets.results import ResultsList

    app = FwcheatApp("osctest", start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await _settle(pilot)
        assert [c.id for c in app.query_one(ResultsList).cards][:1] == ["hostile-entry"]
        assert app.pair.entry is not None and app.pair.entry.id == "hostile-entry"
        assert "\\x1b[2J" in app.pair.side("pytorch").code  # the editor shows the escape visibly...
        assert not app.edits  # ...and showing it that way is not an edit
        pane = app.pair.side("pytorch")
        pane.output.feed(HOSTILE)
        pane.output.flush()
        app.say(HOSTILE)
        app.notify(HOSTILE, title=CLEAR)
        await pilot.pause(0.2)
        screen = app.export_screenshot()
    assert "PWNED-TITLE" in screen
    leftover = _CONTROL.findall(screen)
    assert not leftover, leftover[:5]


async def test_tui_save_says_override_only_when_a_bundled_entry_exists(hostile_kb: Path) -> None:
    from fwcheat.tui.app import FwcheatApp

    app = FwcheatApp("", start_kernels=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await _settle(pilot)
        assert app.catalog is not None
        assert not app._overrides_bundled("hostile-entry")  # only the user's file has it
        assert app._overrides_bundled("plain-entry")  # bundled: a user copy overrides it
        entry = app.catalog.entry("hostile-entry")
        assert entry is not None
        app._saved(entry, str(hostile_kb), app._overrides_bundled(entry.id))
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
    assert any(m.startswith("Saved hostile-entry") for m in messages)
    assert not any("overrides" in m for m in messages)
