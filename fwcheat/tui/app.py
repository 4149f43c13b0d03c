"""The fwcheat TUI: find an idiom, read both versions, run them, compare the results.

The app owns no logic of its own beyond wiring: search goes to
:class:`~fwcheat.tui.catalog.Catalog` in a thread worker, runs go to the
kernel engine through :class:`~fwcheat.tui.kernels.KernelBridge` in async
workers, saving goes to :mod:`fwcheat.tui.save`; results come back as the
past-tense messages of :mod:`fwcheat.tui.messages`. Nothing slow happens
before the first frame: the index opens and the kernels start afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input, Select
from textual.worker import Worker, WorkerState, get_current_worker

from fwcheat.frameworks import DEFAULT_PAIR, label, short
from fwcheat.sanitize import safe_text
from fwcheat.tui import messages as msg
from fwcheat.tui.kernels import BUSY, LABELS, SIDES, KernelBridge, KernelState
from fwcheat.tui.widgets.device_stub import DeviceStub
from fwcheat.tui.widgets.results import ResultsList
from fwcheat.tui.widgets.search_box import SearchBox
from fwcheat.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from fwcheat.compare import Verdict
    from fwcheat.kernels.base import ExecutionResult, Fetched, OutputEvent
    from fwcheat.knowledge.card import Card
    from fwcheat.knowledge.model import Entry
    from fwcheat.tui.catalog import Catalog
    from fwcheat.tui.widgets.pair_view import NotesPane, PairView
    from fwcheat.tui.widgets.scan_view import ScanView
    from fwcheat.tui.widgets.snippet_pane import SnippetPane


#: Searches faster than this (seconds, the last one measured) run on the UI loop itself.
INLINE_SEARCH_LIMIT = 0.004
#: How long typing must pause before the pair view shows the top result (seconds).
FOLLOW_DELAY = 0.12
#: After SIGTERM/SIGHUP, how long a clean shutdown may take before kernels are killed outright.
EXIT_GRACE = 8.0


@dataclass(frozen=True)
class LastRun:
    """What ran last in a framework's kernel (for the verdict and for saving outputs)."""

    entry_id: str
    code: str
    ok: bool
    output: str
    fetched: Fetched | None = None


def _device_options(gpus: int) -> list[tuple[str, str]]:
    count = max(gpus, 1)  # always offer one GPU, so choosing it can explain why it is missing
    return [("cpu", "cpu"), *((f"cuda:{i} / gpu({i})", f"cuda:{i}") for i in range(count))]


def _summary(result: ExecutionResult) -> str:
    from fwcheat.kernels.base import Status

    if result.status is Status.OK:
        text = f"✔ ok {result.duration:.2f} s"
    elif result.status is Status.ERROR and result.error is not None:
        text = f"✘ {result.error.name}"
    else:
        text = f"✘ {result.status.value}"
    if result.truncated:
        text += " · output cut"
    from rich.markup import escape

    from fwcheat.sanitize import safe_line

    return escape(safe_line(text))  # a border title is markup; the error name comes from the kernel


class FwcheatApp(App[None]):
    """Search, read, edit, run and compare PyTorch and MXNet idioms."""

    TITLE = "fwcheat"
    # Absolute, so subclasses defined elsewhere (tests, benchmarks) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+r",
            "run",
            "Run",
            tooltip=f"Run the focused side ({short(SIDES[0])} by default)",
            priority=True,
        ),
        Binding(
            "ctrl+t",
            "run_both",
            "Run all",
            tooltip="Run every shown side at once, then compare",
            priority=True,
        ),
        Binding(
            "f3",
            "switch_framework",
            "Switch",
            tooltip="Show another of the entry's frameworks in the focused pane",
        ),
        Binding(
            "f4", "show_all", "All", tooltip="All the entry's frameworks side by side, or back to the pair"
        ),
        Binding("ctrl+g", "interrupt", "Interrupt", tooltip="Interrupt the running code", priority=True),
        Binding(
            "ctrl+n", "restart", "Restart kernel", tooltip="Fresh kernel for the focused side", priority=True
        ),
        Binding("f2", "device", "Device", tooltip="Choose the device (cpu, cuda:N)"),
        Binding("ctrl+s", "save", "Save edit", tooltip="Save edited snippets as your entry", priority=True),
        Binding("ctrl+o", "copy", "Copy", tooltip="Copy the focused snippet to the clipboard", priority=True),
        Binding("f8", "revert", "Revert", tooltip="Undo all edits of the focused snippet"),
        Binding("ctrl+l", "focus_search", "Search", tooltip="Back to the search box", priority=True),
        # `?` where no text is typed (list, outputs); F1 anywhere.
        Binding("f1,question_mark", "help", "Help", key_display="F1/?", priority=True),
    ]

    def __init__(
        self, query: str = "", *, start_kernels: bool = True, device: str = "cpu", scan: str | None = None
    ) -> None:
        super().__init__()
        self.initial_query = query
        #: With a file to scan, the left column shows it and its findings instead of search results.
        self.scan_path = scan
        self._pending_finding: str | None = None
        self.start_kernels = start_kernels
        self.catalog: Catalog | None = None
        self.bridge = KernelBridge(self._kernel_state_changed, device=device)
        #: Session edits: entry id -> framework -> code.
        self.edits: dict[str, dict[str, str]] = {}
        self.last_run: dict[str, LastRun] = {}
        #: The frameworks in the panes, in table order: the user's pair, or what F3/F4 chose.
        self.frameworks: list[str] = list(SIDES)
        self.pair_frameworks: list[str] = list(SIDES)
        self.show_all = False
        self._focus_after: str | None = None
        self.focused_side = SIDES[0]
        self.device = device
        self.gpus = 0
        self._follow_timer: Timer | None = None
        self._inline_search = False
        self._quit_warned = False
        #: The status line shows a verdict (cleared when another entry is shown).
        self._status_is_verdict = False
        self._exit_signal: int | None = None
        self._gc_paused = False

    def run(self, *args: Any, **kwargs: Any) -> None:
        """Run the app, with Python's cycle collector paused until the first frame is drawn.

        What was imported so far (Textual, fwcheat: some 35,000 tracked objects) lives
        as long as the app, so it is frozen out of all later collections (``gc.freeze``);
        the first frame's own short-lived objects are collected once it is drawn.
        """
        import gc

        if not gc.get_freeze_count():  # once a process (tests run many apps)
            gc.freeze()
        self._gc_paused = gc.isenabled()
        gc.disable()
        try:
            return super().run(*args, **kwargs)
        finally:
            self._resume_gc()

    def _resume_gc(self) -> None:
        if self._gc_paused:
            import gc

            self._gc_paused = False
            gc.enable()

    # -- layout -------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        """The screen, already in the width class it is about to get.

        Textual sets the breakpoint class on the first Resize, after every widget was
        styled once: restyling them all again cost a good part of the first frame.
        """
        screen = super().get_default_screen()
        width = self.size.width
        for threshold, name in sorted(self.HORIZONTAL_BREAKPOINTS or [], reverse=True):
            if width >= threshold:
                screen.add_class(name, update=False)
                break
        return screen

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield SearchBox(self.initial_query, id="search")
            # The real Select comes just after the first frame (see on_ready); this draws the same.
            labels = {value: text for text, value in _device_options(0)}
            yield DeviceStub(labels.get(self.device, self.device), id="device-stub")
        with Horizontal(id="body"):
            if self.scan_path is not None:
                from fwcheat.tui.widgets.scan_view import ScanView

                yield ScanView(id="scan")
            yield ResultsList(id="results")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        results = self.query_one(ResultsList)
        results.border_title = "entries"
        results.border_subtitle = "loading…"
        status = self.query_one(StatusBar)
        status.set_device(self.device)
        self._load_pair()
        status.set_frameworks(self.frameworks)
        if self.scan_path is not None:
            results.display = False
            self.query_one("#scan-findings").focus()
        else:
            self.query_one(SearchBox).focus()

    def on_ready(self) -> None:
        # After the first frame: the editors (tree-sitter) are imported and mounted, the
        # index opened and the kernels started, so that none of it delays that frame.
        self._resume_gc()
        from fwcheat.tui.widgets.pair_view import PairView

        self._mount_device_select()
        self.query_one("#body").mount(PairView(self.frameworks, id="pair"))
        self.load_catalog()
        self._exit_on_signals()
        if self.scan_path is not None:
            self.scan_file(self.scan_path)
        if self.start_kernels:
            self.start_kernel_pool(*self.frameworks)
            self.set_interval(1.0, self.poll_kernels)

    def _mount_device_select(self) -> None:
        """The device Select, in place of the stand-in that drew it in the first frame."""
        stub = self.query_one("#device-stub", DeviceStub)
        select = Select(
            _device_options(self.gpus), value=self.device, allow_blank=False, id="device", compact=True
        )
        self.query_one("#top").mount(select, after=stub)
        stub.remove()

    def _load_pair(self) -> None:
        """The user's pair from the config file (in table order); a bad one is said and skipped."""
        from fwcheat.frameworks import RUNNABLE_FRAMEWORKS
        from fwcheat.pair import PairError, configured_pair

        try:
            pair = configured_pair()
        except PairError as exc:
            self.say(f"{exc}; showing {' and '.join(LABELS[fw] for fw in SIDES)}")
            return
        self.pair_frameworks = [fw for fw in RUNNABLE_FRAMEWORKS if fw in pair]
        self.frameworks = list(self.pair_frameworks)
        self.focused_side = self.frameworks[0]

    def poll_kernels(self) -> None:
        if self.bridge.pool is not None:
            self.run_worker(self.bridge.poll(), group="poll", exclusive=True, exit_on_error=False)

    async def on_unmount(self) -> None:
        await self.bridge.shutdown()

    def _exit_on_signals(self) -> None:
        """SIGTERM and SIGHUP (the terminal closed) quit like ctrl+q: kernels and their files go too."""
        import asyncio
        import contextlib
        import signal

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):  # not the main thread
                loop.add_signal_handler(sig, self._signalled, sig)

    def _signalled(self, signum: int) -> None:
        import os
        import threading

        from fwcheat.kernels.jupyter import kill_leftover_kernels

        def hard_exit() -> None:
            kill_leftover_kernels()
            os._exit(128 + signum)

        if self._exit_signal is not None:  # a second signal: stop being polite
            hard_exit()
        self._exit_signal = signum
        # If shutting down hangs (a terminal that is gone can block writes), still clean up.
        timer = threading.Timer(EXIT_GRACE, hard_exit)
        timer.daemon = True
        timer.start()
        self.exit(return_code=128 + signum)

    def is_mounted_screen(self) -> bool:
        """False before the pair view is mounted and while the app tears down."""
        try:
            self.query_one("#pair")
        except NoMatches:
            return False
        return True

    def on_pair_view_mounted(self, message: PairView.Mounted) -> None:
        if self.scan_path is not None:
            self._show_pending_finding()
            return
        current = self.query_one(ResultsList).current_card
        if current is not None and self.pair.entry is None:
            self.show_card(current)

    @property
    def pair(self) -> PairView:
        from fwcheat.tui.widgets.pair_view import PairView

        return self.query_one("#pair", PairView)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def say(self, message: str) -> None:
        self.status.say(message)
        self._status_is_verdict = False

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast; its text (often a file name or an error) is shown as written: no markup, no escapes."""
        from fwcheat.sanitize import safe_line

        text = safe_text(message) if not markup else message
        super().notify(text, title=safe_line(title), severity=severity, timeout=timeout, markup=markup)

    # -- knowledge and search ----------------------------------------------------------
    @work(thread=True, group="catalog", exit_on_error=False)
    def load_catalog(self) -> None:
        from fwcheat.tui.catalog import Catalog

        catalog = Catalog.open()
        count, problems = catalog.count(), catalog.problems()
        self.catalog = catalog
        self.post_message(msg.CatalogLoaded(count, problems))

    def on_catalog_loaded(self, message: msg.CatalogLoaded) -> None:
        note = f"{message.count} entries"
        if message.problems:
            note += f"; {message.problems} knowledge problems (fwcheat validate)"
        self.say(note)
        self.search(self.query_one(SearchBox).value)
        self._show_pending_finding()

    @on(Input.Changed, "#search")
    def query_changed(self, event: Input.Changed) -> None:
        catalog = self.catalog
        if catalog is not None and self._inline_search and not self._searching():
            # A search that took a couple of ms last time runs right here: a thread's
            # round trip would cost more than the search. Slow ones go to the worker.
            started = time.perf_counter()
            cards = catalog.find(event.value)
            self._show_results(msg.ResultsFound(event.value, cards, time.perf_counter() - started))
        else:
            self.search(event.value)

    def _searching(self) -> bool:
        return any(
            w.group == "search" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for w in self.workers
        )

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def search(self, query: str) -> None:
        catalog = self.catalog
        if catalog is None:
            return  # the catalog worker searches the current query once it is open
        started = time.perf_counter()
        entries = catalog.find(query)
        if not get_current_worker().is_cancelled:
            self.post_message(msg.ResultsFound(query, entries, time.perf_counter() - started))

    def on_results_found(self, message: msg.ResultsFound) -> None:
        self._show_results(message)

    def _show_results(self, message: msg.ResultsFound) -> None:
        self._inline_search = message.seconds < INLINE_SEARCH_LIMIT
        try:
            results = self.query_one(ResultsList)
        except NoMatches:
            return  # shutting down
        if message.query != self.query_one(SearchBox).value:
            return  # typing went on; a newer search is coming
        results.show(message.query, message.cards)
        # The pair follows once typing pauses: loading two editors on every keystroke
        # would slow the list down.
        if self._follow_timer is not None:
            self._follow_timer.stop()
        self._follow_timer = self.set_timer(FOLLOW_DELAY, self._follow_results)

    def _follow_results(self) -> None:
        self._follow_timer = None
        if not self.is_mounted_screen() or self.scan_path is not None:
            return
        current = self.query_one(ResultsList).current_card
        if current is None:
            return
        if self.pair.entry is None or self.pair.entry.id != current.id:
            self.show_card(current)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.say(f"{event.worker.group} failed: {type(error).__name__}: {error}")
            self.notify(
                f"{type(error).__name__}: {error}", title=f"{event.worker.group} failed", severity="error"
            )

    # -- the selected entry ---------------------------------------------------------------
    def on_results_list_entry_highlighted(self, message: ResultsList.EntryHighlighted) -> None:
        if not self.is_mounted_screen() or self.scan_path is not None:
            return
        if self.pair.entry is None or self.pair.entry.id != message.card.id:
            self.show_card(message.card)

    # -- a scanned file (--scan) ----------------------------------------------------------
    @work(thread=True, group="scan", exit_on_error=False)
    def scan_file(self, path: str) -> None:
        from fwcheat.scan.report import Scanner
        from fwcheat.scan.sources import Unreadable, read
        from fwcheat.store import open_store

        source = read(path)
        if isinstance(source, Unreadable):
            self.post_message(msg.FileScanned(None, None, [source]))
            return
        scanner = Scanner(open_store().api_map(*DEFAULT_PAIR))
        report, problems = scanner.scan_source(source)
        from fwcheat.scan.report import ScanReport

        self.post_message(msg.FileScanned(source, ScanReport(*DEFAULT_PAIR, [report], problems), problems))

    def on_file_scanned(self, message: msg.FileScanned) -> None:
        from fwcheat.scan.formats import escape
        from fwcheat.tui.widgets.scan_view import ScanView

        if message.source is None or message.report is None:
            reason = message.problems[0].message if message.problems else "unreadable"
            self.query_one(ScanView).show_problem(escape(self.scan_path or ""), escape(reason))
            self.say(f"cannot scan {escape(self.scan_path or '')}: {escape(reason)}")
            return
        self.query_one(ScanView).show(message.source, message.report, message.problems)
        summary = message.report.summary()
        self.say(
            f"{summary.uses} uses of {label(DEFAULT_PAIR[0])} API, {summary.share:.0%} mapped; ↑/↓ picks one"
        )

    def on_scan_view_finding_highlighted(self, message: ScanView.FindingHighlighted) -> None:
        from fwcheat.scan.formats import escape

        finding = message.finding
        if finding.entry is None:
            self.say(f"{escape(finding.api)}: no entry yet (fwcheat search may still help)")
            return
        self.say(f"{escape(finding.api)} → {finding.target} · {finding.note or ''}")
        self._pending_finding = finding.entry
        self._show_pending_finding()

    def _show_pending_finding(self) -> None:
        entry_id = self._pending_finding
        if entry_id is None or self.catalog is None or not self.is_mounted_screen():
            return  # shown when the catalog and the pair view are there
        entry = self.catalog.entry(entry_id)
        if entry is not None and (self.pair.entry is None or self.pair.entry.id != entry_id):
            self.show_entry(entry)

    def show_card(self, card: Card) -> None:
        """Show the full entry behind a result card."""
        entry = self.catalog.entry(card.id) if self.catalog is not None else None
        if entry is None:
            self.say(f"{card.id} is no longer in the knowledge base")
            return
        self.show_entry(entry)

    def show_entry(self, entry: Entry) -> None:
        if self.show_all:
            self._set_frameworks(self._entry_frameworks(entry) or self.pair_frameworks)
        self.pair.show(entry, self.edits.get(entry.id, {}))
        if self._status_is_verdict:
            self.say("")  # that verdict was about another entry
        self._reset_outputs(entry)

    def _reset_outputs(self, entry: Entry) -> None:
        for framework in self.frameworks:
            pane = self.pair.side(framework)
            last = self.last_run.get(framework)
            if last is None or last.entry_id != entry.id:
                pane.output.reset()

    def on_snippet_pane_code_edited(self, message: SnippetPane.CodeEdited) -> None:
        entry = self.pair.entry
        if entry is None or entry.id != message.entry_id:
            return
        snippet = entry.snippets.get(message.framework)
        edits = self.edits.setdefault(entry.id, {})
        # The editor shows the code with control characters made visible (see PairView.show).
        if snippet is not None and message.code.rstrip("\n") != safe_text(snippet.code).rstrip("\n"):
            edits[message.framework] = message.code
        else:
            edits.pop(message.framework, None)
        if not edits:
            self.edits.pop(entry.id, None)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self._side_of(event.widget)
        self._collapse_list(event.widget)

    def _collapse_list(self, widget: Widget) -> None:
        """The list gives its width to the pair while the pair has focus; back with the search box."""
        if self.scan_path is not None:
            return
        in_pair = any(node.id == "pair" for node in widget.ancestors_with_self)
        # `query`, not `query_one`: focus can still move while the app shuts down and the list is gone.
        if in_pair:
            self.query(ResultsList).set(display=False)
        elif isinstance(widget, (SearchBox, ResultsList)):
            self.query(ResultsList).set(display=True)

    def action_focus_list(self) -> None:
        """Tab in the search box goes to the list (the device selector comes after it)."""
        results = self.query_one(ResultsList)
        if results.display and self.scan_path is None:
            # At once, not after a refresh as focus() does: a second Tab typed fast goes on from the list.
            self.screen.set_focus(results)
        else:
            self.screen.focus_next()

    def action_list_move(self, step: int) -> None:
        """Up/Down in the search box move the list's highlight."""
        results = self.query_one(ResultsList)
        if results.option_count:
            current = results.highlighted if results.highlighted is not None else -1
            results.highlighted = max(0, min(results.option_count - 1, current + step))

    def on_notes_pane_see_also_chosen(self, message: NotesPane.SeeAlsoChosen) -> None:
        entry = self.catalog.entry(message.entry_id) if self.catalog is not None else None
        if entry is None:
            self.say(f"see also: {message.entry_id} is not in the knowledge base")
            return
        self.show_entry(entry)
        self.say(f"showing {entry.id} (see also); ctrl+l searches again")

    def _side_of(self, widget: Widget | None) -> str:
        """The framework whose pane holds ``widget``; remembered, so the list keeps the last side."""
        from fwcheat.tui.widgets.snippet_pane import SnippetPane

        if widget is not None:
            for node in widget.ancestors_with_self:
                if isinstance(node, SnippetPane):
                    self.focused_side = node.framework
                    break
        return self.focused_side

    @property
    def side_in_focus(self) -> str:
        return self._side_of(self.focused)

    # -- running ----------------------------------------------------------------------
    def _kernel_state_changed(self, state: KernelState) -> None:
        self.post_message(msg.KernelStateChanged(state))

    def on_kernel_state_changed(self, message: msg.KernelStateChanged) -> None:
        state = message.state
        self.status.set_state(state)
        name = self.bridge.state(state.framework)
        if state.framework in self.frameworks and self.is_mounted_screen():
            self.pair.side(state.framework).set_version(state.version)
        if state.framework not in self.frameworks and name not in ("dead", "unavailable"):
            return
        if name in ("dead", "unavailable", "starting") and state.detail:
            self.say(f"{LABELS[state.framework]} {name}: {state.detail}")
        elif name == "idle" and state.detail:
            self.say(f"{LABELS[state.framework]}: {state.detail}")
        if state.gpus > self.gpus:
            self.gpus = state.gpus
            self.query_one("#device", Select).set_options(_device_options(self.gpus))
            self.query_one("#device", Select).value = self.device

    @work(group="kernels", exit_on_error=False)
    async def start_kernel_pool(self, *frameworks: str) -> None:
        await self.bridge.start(*frameworks)

    # -- which frameworks are shown ------------------------------------------------------
    @staticmethod
    def _entry_frameworks(entry: Entry) -> list[str]:
        from fwcheat.frameworks import RUNNABLE_FRAMEWORKS

        return [fw for fw in RUNNABLE_FRAMEWORKS if entry.snippets.get(fw) is not None]

    def _set_frameworks(self, frameworks: list[str], entry: Entry | None = None) -> None:
        """Show these frameworks' panes; their kernels start now (only theirs)."""
        if frameworks == self.frameworks:
            return
        self.frameworks = list(frameworks)
        self.pair.set_frameworks(self.frameworks)
        self.status.set_frameworks(self.frameworks)
        if self.focused_side not in self.frameworks:
            self.focused_side = self.frameworks[0]
        if self.start_kernels:
            off = [fw for fw in self.frameworks if self.bridge.state(fw) == "off"]
            if off:
                self.start_kernel_pool(*off)
        if entry is not None:
            self.call_after_refresh(self._refill, entry)

    def _refill(self, entry: Entry) -> None:
        """Load the entry into panes just mounted."""
        if self.pair.entry is not None and self.pair.entry.id == entry.id:
            self.pair.show(entry, self.edits.get(entry.id, {}))
            self._reset_outputs(entry)
            target, self._focus_after = self._focus_after, None
            if target in self.frameworks:
                self.pair.side(target).editor.focus()

    def action_switch_framework(self) -> None:
        """The focused pane shows the entry's next framework that no other pane shows."""
        entry = self.pair.entry
        if entry is None:
            self.notify("Pick an entry first.", severity="warning")
            return
        side = self.side_in_focus
        others = [fw for fw in self._entry_frameworks(entry) if fw not in self.frameworks]
        if not others:
            has = ", ".join(LABELS[fw] for fw in self._entry_frameworks(entry))
            self.notify(f"{entry.id} has no other framework to show (it has {has}).")
            return
        from fwcheat.frameworks import RUNNABLE_FRAMEWORKS

        order = list(RUNNABLE_FRAMEWORKS)
        after = [fw for fw in others if order.index(fw) > order.index(side)] or others
        new = after[0]
        chosen = sorted((new if fw == side else fw for fw in self.frameworks), key=order.index)
        self.show_all = False
        self._focus_after = new  # the removed pane had focus; the new one takes it
        self._set_frameworks(chosen, entry)
        self.say(f"{LABELS[side]} → {LABELS[new]} in this pane; F3 again for the next, F4 shows all")

    def action_show_all(self) -> None:
        """All the entry's frameworks side by side (stacked when narrow), or back to the pair."""
        entry = self.pair.entry
        self.show_all = not self.show_all
        if self.show_all and entry is not None:
            frameworks = self._entry_frameworks(entry) or self.pair_frameworks
            self.say(f"showing {', '.join(LABELS[fw] for fw in frameworks)}; F4 again: the pair")
        else:
            frameworks = self.pair_frameworks
            self.say(f"showing the pair: {' and '.join(LABELS[fw] for fw in frameworks)}")
        self._set_frameworks(frameworks, entry)

    def action_run(self) -> None:
        self.run_side(self.side_in_focus)

    def action_run_both(self) -> None:
        entry = self.pair.entry
        for framework in self.frameworks:
            if entry is None or entry.snippets.get(framework) is not None:
                self.run_side(framework)

    def run_side(self, framework: str) -> None:
        entry = self.pair.entry
        if entry is None:
            self.notify("Pick an entry first: type a query and choose with ↑/↓.", severity="warning")
            return
        snippet = entry.snippets.get(framework)
        if snippet is None:
            self.notify(f"{entry.id} has no {LABELS[framework]} snippet.", severity="warning")
            return
        if self.bridge.state(framework) == BUSY:
            self.notify(f"{LABELS[framework]} is still running: ctrl+g interrupts it.", severity="warning")
            return
        pane = self.pair.side(framework)
        self._run(framework, entry.id, pane.code, snippet.setup, fresh=True, repl=False, fetch=entry.compare)

    def _run(
        self,
        framework: str,
        entry_id: str,
        code: str,
        setup: str,
        *,
        fresh: bool,
        repl: bool,
        fetch: str | None = None,
    ) -> None:
        pane = self.pair.side(framework)
        if repl:
            pane.output.feed("".join(f">>> {line}\n" for line in code.splitlines()))
        else:
            pane.output.reset(f"output · running on {self.device}…")
        self.show_verdict(None, self.pair.waiting_text())

        def stream(event: OutputEvent) -> None:
            # Called on the app's loop by the async engine: queue it, shown on the pane's timer.
            if event.kind in ("stdout", "stderr"):
                pane.output.feed(event.text)
            elif event.kind == "result":
                pane.output.feed(event.text + "\n")
            elif event.kind in ("image", "display"):
                pane.output.feed(f"[{event.kind}: {event.text}]\n")

        async def go() -> None:
            result = await self.bridge.run(
                framework, code, setup=setup, fresh=fresh, on_output=stream, fetch=fetch or None
            )
            fetched = None
            if fetch and self.bridge.pool is not None:
                fetched = self.bridge.pool.fetched(result)
            self.post_message(msg.SnippetFinished(framework, entry_id, result, repl=repl, fetched=fetched))

        self.run_worker(go(), group=f"run-{framework}", exit_on_error=False)

    def on_snippet_finished(self, message: msg.SnippetFinished) -> None:
        from fwcheat.outputs import strip_ansi

        result, framework = message.result, message.framework
        if not self.is_mounted_screen():
            return
        pane = self.pair.side(framework)
        pane.output.flush()
        if result.error is not None and result.status.value == "error":
            lines = [strip_ansi(line) for line in result.error.traceback] or [str(result.error)]
            pane.output.feed("\n".join(lines) + "\n")
        elif result.error is not None:
            pane.output.feed(f"{result.error}\n")
        if result.reason and result.reason != result.status.value:
            pane.output.feed(f"[{result.reason}]\n")
        pane.output.flush()
        pane.output.border_title = f"output · {_summary(result)}"
        code = pane.code if not message.repl else ""
        self.last_run[framework] = LastRun(
            message.entry_id if not message.repl else "", code, result.ok, result.output, message.fetched
        )
        if not message.repl:
            self.check_verdict()

    def check_verdict(self) -> None:
        """Once every shown side of the entry has run: a verdict for each one that ran, failures named."""
        entry = self.pair.entry
        if entry is None or not entry.compare:
            return
        sides = [fw for fw in self.frameworks if entry.snippets.get(fw) is not None]
        runs = {fw: self.last_run.get(fw) for fw in sides}
        if len(sides) < 2 or any(r is None or r.entry_id != entry.id for r in runs.values()):
            return
        if any(self.bridge.state(fw) == BUSY for fw in sides):
            return  # the other side's finish will check again
        failed = [LABELS[fw] for fw, r in runs.items() if r is None or not r.ok]
        fetched = {
            fw: r.fetched for fw, r in runs.items() if r is not None and r.ok and r.fetched is not None
        }
        from fwcheat.compare import compare_entry, overall

        verdicts = compare_entry(entry, fetched) if len(fetched) >= 2 else {}
        verdict = overall(verdicts)
        note = ""
        if failed:
            note = f"✘ {', '.join(failed)} failed: no comparison for {'it' if len(failed) == 1 else 'them'}"
        if verdict is None:
            self.show_verdict(None, note or f"`{entry.compare}` could not be fetched from every side")
            return
        self.post_message(msg.VerdictReached(entry.id, verdict, verdicts, note))

    def on_verdict_reached(self, message: msg.VerdictReached) -> None:
        if not self.is_mounted_screen():
            return
        if self.pair.entry is not None and self.pair.entry.id == message.entry_id:
            self.show_verdict(message.verdict, message.note, message.verdicts)

    def show_verdict(
        self, verdict: Verdict | None, waiting: str = "", verdicts: dict[str, Verdict] | None = None
    ) -> None:
        """The verdict line, and the same on the status line, so the two never disagree.

        Also on the status line because in a small terminal the verdict line may be
        scrolled away; a new run or a failure replaces an older verdict on both.
        """
        self.pair.set_verdict(verdict, waiting, verdicts)
        if verdict is not None:
            self.say(f"{'✔' if verdict.ok else '✘'} {verdict.message}" + (f" · {waiting}" if waiting else ""))
        else:
            self.say(waiting)
        self._status_is_verdict = True

    @on(Input.Submitted, "ReplInput")
    def repl_line(self, event: Input.Submitted) -> None:
        from fwcheat.tui.widgets.snippet_pane import ReplInput

        line = event.input
        assert isinstance(line, ReplInput)
        code = event.value
        if not code.strip():
            return
        line.remember(code)
        line.value = ""
        framework = line.framework
        if self.bridge.state(framework) == BUSY:
            self.notify(f"{LABELS[framework]} is still running: ctrl+g interrupts it.", severity="warning")
            return
        # Before any run the namespace is empty: a fresh start binds `device` / `ctx`.
        fresh = framework not in self.last_run
        self._run(framework, "", code, "", fresh=fresh, repl=True)

    def action_interrupt(self) -> None:
        side = self.side_in_focus
        busy = [fw for fw in self.frameworks if self.bridge.state(fw) == BUSY]
        if not busy:
            self.notify("Nothing is running.")
            return
        targets = [side] if side in busy else busy
        for framework in targets:
            self.run_worker(self.bridge.interrupt(framework), group="interrupt", exit_on_error=False)
        self.say(f"interrupting {', '.join(LABELS[fw] for fw in targets)}")

    def action_restart(self) -> None:
        framework = self.side_in_focus
        self.workers.cancel_group(self, f"run-{framework}")
        self.pair.side(framework).output.reset("output · kernel restarting…")
        self.last_run.pop(framework, None)
        self.run_worker(self.bridge.restart(framework), group="restart", exit_on_error=False)

    # -- device -------------------------------------------------------------------------
    def action_device(self) -> None:
        try:
            select = self.query_one("#device", Select)
        except NoMatches:
            select = None
        if select is None or not select.is_mounted:
            return  # F2 while the first frame is drawn: the selector is not there yet
        select.focus()
        select.expanded = True

    @on(Select.Changed, "#device")
    def device_picked(self, event: Select.Changed) -> None:
        value = event.value
        if not isinstance(value, str) or value == self.device:
            return
        self.say(f"checking {value}…")
        self.choose_device(value)

    @work(group="device", exclusive=True, exit_on_error=False)
    async def choose_device(self, device: str) -> None:
        reason = await self.bridge.choose_device(device)
        if reason is None:
            self.post_message(msg.DeviceChanged(device))
        else:
            self.post_message(msg.DeviceRejected(device, reason, self.device))

    def on_device_changed(self, message: msg.DeviceChanged) -> None:
        self.device = message.device
        self.status.set_device(self.device)
        self.say(f"device is now {self.device}; the next run uses it")

    def on_device_rejected(self, message: msg.DeviceRejected) -> None:
        self.query_one("#device", Select).value = message.kept
        self.say(f"{message.reason}; keeping {message.kept}")
        self.notify(
            f"{message.reason}. Keeping {message.kept}.", title="Device not available", severity="warning"
        )

    # -- editing, saving, copying ---------------------------------------------------------
    def action_revert(self) -> None:
        side = self.side_in_focus
        entry = self.pair.entry
        if entry is None:
            return
        snippet = entry.snippets.get(side)
        self.pair.side(side).load(entry.id, safe_text(snippet.code) if snippet else None)
        edits = self.edits.get(entry.id, {})
        edits.pop(side, None)
        if not edits:
            self.edits.pop(entry.id, None)

    def action_copy(self) -> None:
        side = self.side_in_focus
        pane = self.pair.side(side)
        self.copy_to_clipboard(pane.code)
        self.notify(f"{LABELS[side]} snippet copied ({len(pane.code.splitlines())} lines).")

    def edited_entry(self, entry: Entry) -> Entry | None:
        """``entry`` with this session's edits (and outputs of edited code that ran), or None."""
        import msgspec

        edits = self.edits.get(entry.id)
        if not edits:
            return None
        snippets = entry.snippets
        for framework, code in edits.items():
            snippet = snippets.get(framework)
            if snippet is None:
                continue
            last = self.last_run.get(framework)
            ran = last is not None and last.entry_id == entry.id and last.code == code and last.ok
            output = last.output if ran and last is not None else None
            text = code if code.endswith("\n") else code + "\n"  # the editor shows no last newline
            new = msgspec.structs.replace(snippet, code=text, output=output)
            snippets = msgspec.structs.replace(snippets, **{framework: new})
        return msgspec.structs.replace(entry, snippets=snippets)

    def action_save(self) -> None:
        entry = self.pair.entry
        edited = self.edited_entry(entry) if entry is not None else None
        if entry is None or edited is None:
            self.notify("Nothing edited here: change a snippet first.")
            return
        # The editor shows control characters made visible (\x1b...): saved from here they would
        # become those letters in the file, and the snippet would no longer be what was written.
        shown_escaped = [
            fw
            for fw in self.edits.get(entry.id, {})
            if (snippet := entry.snippets.get(fw)) is not None and safe_text(snippet.code) != snippet.code
        ]
        if shown_escaped:
            location = self.catalog.location(entry.id) if self.catalog is not None else None
            where = f" ({location.path})" if location is not None else ""
            names = ", ".join(label(fw) for fw in shown_escaped)
            self.notify(
                f"The {names} snippet of {entry.id} holds control characters, shown escaped here; "
                f"saving would write them as text. Edit its YAML file instead{where}.",
                title="Not saved",
                severity="error",
            )
            return
        self.save_edit(edited)

    @work(thread=True, group="save", exit_on_error=False)
    def save_edit(self, entry: Entry) -> None:
        from fwcheat.knowledge.sources import user_dir
        from fwcheat.tui.save import SaveError, save_entry, target_file

        location = self.catalog.location(entry.id) if self.catalog is not None else None
        path = target_file(
            entry, location.layer if location else None, location.path if location else None, user_dir()
        )
        try:
            save_entry(entry, path)
        except SaveError as exc:
            self.call_from_thread(self.notify, str(exc), title="Not saved", severity="error")
            return
        self.call_from_thread(self._saved, entry, str(path), self._overrides_bundled(entry.id))

    def _overrides_bundled(self, entry_id: str) -> bool:
        """Whether the bundled knowledge base has an entry with this id (which a user file overrides)."""
        if self.catalog is None:
            return False
        kb = self.catalog.knowledge
        here = kb.locations.get(entry_id)
        replaced = kb.overridden.get(entry_id)
        return (here is not None and here.layer == "bundled") or (
            replaced is not None and replaced.layer == "bundled"
        )

    def _saved(self, entry: Entry, path: str, overrides: bool = False) -> None:
        self.edits.pop(entry.id, None)
        self._quit_warned = False
        from fwcheat.knowledge.card import Card

        results = self.query_one(ResultsList)
        results.cards = [Card.from_entry(entry) if c.id == entry.id else c for c in results.cards]
        if self.pair.entry is not None and self.pair.entry.id == entry.id:
            self.pair.entry = entry
            for framework in self.frameworks:
                snippet = entry.snippets.get(framework)
                pane = self.pair.side(framework)
                pane.base = safe_text(snippet.code) if snippet else None
                pane.load(entry.id, pane.base)
        self.say(f"saved {entry.id} to {path}")
        note = "; it overrides the bundled entry" if overrides else ""
        self.notify(f"Saved {entry.id} to {path}{note}.", title="Saved")
        self.load_catalog()

    async def action_quit(self) -> None:
        """Quit; with unsaved edits, only on the second ctrl+q, so nothing typed is lost by accident."""
        unsaved = sorted(self.edits)
        if unsaved and not self._quit_warned:
            self._quit_warned = True
            self.notify(
                f"Unsaved edits in {', '.join(unsaved)}: "
                "ctrl+s saves them, ctrl+q again quits without saving.",
                title="Unsaved edits",
                severity="warning",
            )
            return
        self.exit()

    # -- keys, help, palette -----------------------------------------------------------------
    def action_focus_search(self) -> None:
        if self.scan_path is None:
            self.query_one(ResultsList).display = True  # at once, so a Tab right after reaches it
        self.screen.set_focus(self.query_one(SearchBox))

    def key_table(self) -> list[tuple[str, str]]:
        rows: list[tuple[str, str]] = []
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            rows.append((binding.key.replace("question_mark", "?"), binding.tooltip or binding.description))
        rows += [
            ("↑ / ↓, mouse", "pick an entry in the list; Tab moves between panes"),
            ("Enter in a >>> line", "run it in that framework's kernel (↑/↓: history)"),
            ("ctrl+p", "command palette: every action by name"),
            ("ctrl+q", "quit"),
        ]
        return rows

    def action_help(self) -> None:
        from fwcheat.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_table()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            action = binding.action
            yield SystemCommand(
                f"{binding.description} ({binding.key.split(',')[0]})",
                binding.tooltip or binding.description,
                lambda action=action: self.run_action(action),
            )
