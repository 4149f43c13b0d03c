"""What the REPL does with a line once it is entered: run it, or obey a command.

The engine holds the session's state (current framework and device, the
entry last loaded, which kernel died) and prints through a rich console. It
knows nothing about prompt_toolkit: the front end (:mod:`fwcheat.repl.session`)
reads input and calls :meth:`ReplEngine.handle`; tests can call it directly.

Code runs through the shared :class:`~fwcheat.kernels.session.KernelPool`
without its fresh-namespace reset, so each framework's kernel keeps its
variables across cells and across ``:framework`` switches.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from fwcheat.devices import DeviceRequest, DeviceSpecError, parse_device
from fwcheat.frameworks import DEFAULT_PAIR, FRAMEWORK_LABELS, REFERENCE, RUNNABLE_FRAMEWORKS, TABLE
from fwcheat.kernels import prelude
from fwcheat.kernels.base import ExecutionResult, KernelError, Status
from fwcheat.kernels.session import KernelPool, KernelState
from fwcheat.knowledge.model import Entry
from fwcheat.repl.commands import (
    COMMAND_SPECS,
    Command,
    CommandError,
    framework_name,
    is_command,
    parse_command,
)
from fwcheat.repl.render import CellPrinter, print_error, print_help, print_hits_compact, print_note

if TYPE_CHECKING:
    from fwcheat.repl.hints import Hint, HintIndex
    from fwcheat.search import Searcher
    from fwcheat.store import Store

#: Run silently in each kernel after it starts: completions come from the live
#: namespace (what the user defined) instead of jedi's static analysis, which
#: takes seconds on torch and knows nothing of the cells already run.
KERNEL_SETUP = "get_ipython().Completer.use_jedi = False"
#: The imports every session starts with, as people write them (the snippets' own spelling).
PRELOADED = {row.key: "\n".join(row.preload) for row in TABLE if row.runnable}
#: Commands that use the current kernel; the others read only the knowledge base.
KERNEL_COMMANDS = frozenset({"run", "framework", "device", "restart", "interrupt"})
#: How long a cell may go on after the first Ctrl-C before the REPL says it ignored it (seconds).
IGNORED_AFTER = 2.0
#: How many hits `:search` lists.
SEARCH_LIMIT = 6
#: How long a completion may take before the menu gives up on it.
COMPLETE_TIMEOUT = 5.0


def label(framework: str) -> str:
    return FRAMEWORK_LABELS.get(framework, framework)


def other_framework(framework: str) -> str:
    return next(fw for fw in RUNNABLE_FRAMEWORKS if fw != framework)


@dataclass
class Reply:
    """What the front end should do after a line was handled."""

    #: Text to put in the next prompt's input (``:load``).
    prefill: str = ""
    exit: bool = False


class ReplEngine:
    """Runs cells and commands for one REPL session."""

    def __init__(
        self,
        console: Console,
        framework: str = REFERENCE,
        device: DeviceRequest | str = "cpu",
        *,
        pool: KernelPool | None = None,
        store: Store | None = None,
    ) -> None:
        if framework not in RUNNABLE_FRAMEWORKS:
            raise ValueError(f"fwcheat repl runs {' or '.join(RUNNABLE_FRAMEWORKS)}, not {framework!r}")
        self.console = console
        self.framework = framework
        self.pool = pool if pool is not None else KernelPool(device)
        self._store = store
        self._searcher: Searcher | None = None
        self._hints: HintIndex | None = None
        #: Cells run per framework; it goes on across kernel replacements, so prompt and Out[n] agree.
        self.counts = dict.fromkeys(RUNNABLE_FRAMEWORKS, 0)
        self.last_loaded: str | None = None
        #: framework -> pid of the kernel its session setup (imports, device) ran in. The kernel's
        #: life (starting, idle, busy, dead) is the pool's; this only says the setup is done.
        self.prepared: dict[str, int | None] = {}
        self._running: asyncio.Future[ExecutionResult] | None = None
        self._interrupts = 0
        self._force_restart = False
        self._interrupt_task: asyncio.Future[None] | None = None
        self._ignored_task: asyncio.Future[None] | None = None

    # -- knowledge --------------------------------------------------------------

    @property
    def store(self) -> Store:
        if self._store is None:
            from fwcheat.store import open_store

            self._store = open_store()
        return self._store

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            from fwcheat.search import Searcher

            self._searcher = Searcher(self.store)
        return self._searcher

    def build_hints(self) -> HintIndex:
        """The API-name index for toolbar hints (one per session; it reads the index's API map)."""
        if self._hints is None:
            from fwcheat.repl.hints import HintIndex

            self._hints = HintIndex(self.store)
        return self._hints

    def hint(self, code: str) -> Hint | None:
        """A hint when ``code`` uses the other framework's API; None until the index is built."""
        if self._hints is None or not code.strip() or is_command(code):
            return None
        return self._hints.hint(code, self.framework)

    # -- kernels ----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running is not None and not self._running.done()

    async def start(self) -> bool:
        """Start the current framework's kernel; False (with the reason printed) if it cannot run."""
        return await self._prepare(self.framework)

    def is_ready(self, framework: str) -> bool:
        """The kernel runs and has this session's setup (a replaced kernel has not)."""
        status = self.pool.status.get(framework)
        if status is None or status.state not in (KernelState.IDLE, KernelState.BUSY):
            return False
        return framework in self.prepared and self.prepared[framework] == status.pid

    async def _prepare(self, framework: str) -> bool:
        """Start (or replace a dead) kernel through the pool, then run the session setup in it."""
        if self.pool.state(framework) is KernelState.DEAD:
            return await self._replace(framework, f"the {label(framework)} kernel had died")
        info = await self.pool.ensure(framework)
        if info.error:
            print_error(self.console, info.error)
            return False
        return await self._setup(framework)

    async def _setup(self, framework: str) -> bool:
        bound = await self._setup_kernel(framework)
        if "error" in bound:
            print_error(self.console, f"{bound['error']}; using cpu instead")
            self.pool.set_device("cpu")
            bound = await self._setup_kernel(framework)
        self.prepared[framework] = self.pool.status[framework].pid
        return "error" not in bound

    async def _setup_kernel(self, framework: str) -> dict[str, Any]:
        """Bind the device variable in the kernel's namespace; the kernel's answer."""
        kernel = self.pool.kernels[framework]
        reply = await kernel.execute(
            KERNEL_SETUP + "\n" + PRELOADED[framework],
            timeout=60.0,
            user_expressions={"bind": prelude.bind_expression(framework, self.pool.device)},
            silent=True,
        )
        if reply.status is not Status.OK:
            return {"error": reply.reason or str(reply.error)}
        return prelude.decode_expression(reply.expressions.get("bind"))

    async def _replace(self, framework: str, why: str) -> bool:
        """A fresh kernel from the pool (the old one's variables are gone), set up again."""
        detail = self.pool.status[framework].detail if framework in self.pool.status else ""
        self.prepared.pop(framework, None)
        await self.pool.restart(framework, why)
        if self.pool.state(framework) is not KernelState.IDLE:
            print_error(
                self.console, self.pool.status[framework].detail or f"{label(framework)} cannot start"
            )
            return False
        ok = await self._setup(framework)
        reason = f" ({detail})" if detail and detail not in why else ""
        print_note(
            self.console, f"{why}{reason}; started a new {label(framework)} kernel (its variables are gone)"
        )
        return ok

    async def shutdown(self) -> None:
        await self.pool.shutdown()
        self.prepared.clear()

    def on_ctrl_c(self) -> None:
        """Ctrl-C while a cell runs: interrupt it; a second Ctrl-C replaces the kernel."""
        if not self.running:
            return
        self._interrupts += 1
        if self._interrupts == 1:
            self._interrupt_task = asyncio.ensure_future(self.pool.interrupt(self.framework))
            self._ignored_task = asyncio.ensure_future(self._say_if_ignored(self._running))
        else:
            self._force_restart = True
            assert self._running is not None
            self._running.cancel()

    async def _say_if_ignored(self, cell: asyncio.Future[ExecutionResult] | None) -> None:
        """Say so when the cell is still running a while after the interrupt."""
        await asyncio.sleep(IGNORED_AFTER)
        if cell is not None and not cell.done() and self._running is cell and self._interrupts == 1:
            print_note(
                self.console,
                "the cell ignored the interrupt (native code, or it catches KeyboardInterrupt); "
                "Ctrl-C again replaces the kernel, and its variables are lost",
                "bold yellow",
            )

    async def complete(
        self, code: str, cursor: int, timeout: float = COMPLETE_TIMEOUT
    ) -> tuple[list[str], int, int]:
        """Kernel completions at ``cursor``: (matches, start, end); empty when it cannot answer."""
        kernel = self.pool.kernels.get(self.framework)
        if kernel is None or not self.is_ready(self.framework) or self.running:
            return [], cursor, cursor
        try:
            found = await asyncio.wait_for(kernel.complete(code, cursor), timeout)
        except (KernelError, asyncio.TimeoutError):
            return [], cursor, cursor
        return found.matches, found.cursor_start, found.cursor_end

    # -- running code -------------------------------------------------------------

    async def run_code(self, code: str) -> ExecutionResult | None:
        """Run a cell in the current kernel, streaming its output; None if it never ran."""
        framework = self.framework
        if not self.is_ready(framework) and not await self._prepare(framework):
            return None
        self.counts[framework] += 1
        printer = CellPrinter(self.console, self.counts[framework])
        self._interrupts = 0
        self._force_restart = False
        task = asyncio.ensure_future(
            self.pool.run(framework, code, timeout=None, on_output=printer.on_output, fresh=False)
        )
        self._running = task
        try:
            result = await task
        except asyncio.CancelledError:
            if not self._force_restart:
                raise
            printer.finish(ExecutionResult(Status.ERROR))  # ends the output; says nothing untrue
            await self._replace(framework, "the cell did not stop when interrupted")
            return None
        finally:
            self._running = None
            if self._ignored_task is not None:
                self._ignored_task.cancel()
        printer.finish(result)
        if result.status is Status.DIED and self.pool.state(framework) is KernelState.DEAD:
            print_note(self.console, "it will be replaced on your next input", "bold red")
        return result

    # -- commands -------------------------------------------------------------------

    def needs_kernel(self, text: str) -> bool:
        """Does handling ``text`` need the current kernel (code, or a command that runs or changes it)?"""
        if not is_command(text):
            return bool(text.strip())
        try:
            return parse_command(text).name in KERNEL_COMMANDS
        except CommandError:
            return False

    async def handle(self, text: str) -> Reply:
        """Run a cell or a ``:command``."""
        if not text.strip():
            return Reply()
        if not is_command(text):
            await self.run_code(text)
            return Reply()
        try:
            command = parse_command(text)
            return await self._command(command)
        except CommandError as exc:
            print_error(self.console, str(exc))
            return Reply()

    async def _command(self, command: Command) -> Reply:
        name, arg = command.name, command.arg
        if name == "search":
            self._search(arg)
        elif name == "show":
            self._show(self._entry(arg))
        elif name == "load":
            return self._load(arg)
        elif name == "pair":
            self._pair(arg)
        elif name == "run":
            await self._run_entry(arg)
        elif name == "scan":
            self._scan(arg)
        elif name == "framework":
            await self._switch(arg)
        elif name == "device":
            await self._device(arg)
        elif name == "restart":
            await self._replace(self.framework, "restarted on request")
        elif name == "interrupt":
            await self.pool.interrupt(self.framework)
            print_note(self.console, f"sent an interrupt to the {label(self.framework)} kernel")
        elif name == "help":
            print_help(self.console)
        elif name == "quit":
            return Reply(exit=True)
        else:  # pragma: no cover - parse_command only returns known names
            raise CommandError(f"no handler for :{name}; known: {[s.name for s in COMMAND_SPECS]}")
        return Reply()

    def _entry(self, entry_id: str) -> Entry:
        entry = self.store.entry(entry_id)
        if entry is None:
            suggestions = self.searcher.suggest(entry_id, ids_only=True)
            more = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
            raise CommandError(f"no entry {entry_id!r}{more} (:search finds ids)")
        return entry

    def _snippet_code(self, entry: Entry, framework: str) -> str:
        snippet = entry.snippets.get(framework)
        if snippet is None:
            has = ", ".join(label(fw) for fw, _ in entry.snippets.items())
            raise CommandError(f"{entry.id} has no {label(framework)} snippet (it has: {has})")
        setup = snippet.setup.strip("\n")
        return (setup + "\n" if setup else "") + snippet.code.rstrip("\n")

    def _search(self, query: str) -> None:
        hits = self.searcher.search(query, limit=SEARCH_LIMIT)
        if not hits:
            from fwcheat.render import print_suggestions

            print_suggestions(self.console, query, self.searcher.suggest(query))
            return
        print_hits_compact(self.console, hits, self.framework)

    def _scan(self, path: str) -> None:
        """The other framework's API in ``path``, mapped to this framework (as `fwcheat scan`)."""
        from fwcheat.scan.formats import escape, to_text
        from fwcheat.scan.report import Scanner
        from fwcheat.scan.sources import UsageError

        usual, other = DEFAULT_PAIR
        source = usual if self.framework != usual else other
        if (source, self.framework) not in self.store.api_map_pairs():
            raise CommandError(
                f"the knowledge base cannot map {label(source)} to {label(self.framework)} yet"
            )
        scanner = Scanner(self.store.api_map(source, self.framework))
        try:
            report = scanner.scan_paths([os.path.expanduser(path)])
        except UsageError as exc:
            raise CommandError(escape(str(exc))) from None
        self.console.print(Text(to_text(report).rstrip("\n")), highlight=False, soft_wrap=True)

    def _show(self, entry: Entry, framework: str | None = None) -> None:
        from fwcheat.render import print_entry

        print_entry(self.console, entry, framework=framework)
        if entry.see_also:
            print_note(self.console, f"See also: {', '.join(entry.see_also)}")

    def _load(self, entry_id: str) -> Reply:
        entry = self._entry(entry_id)
        code = self._snippet_code(entry, self.framework)
        self.last_loaded = entry.id
        other = self.counterpart()
        print_note(
            self.console,
            f"{entry.id}: {entry.title} ({label(self.framework)}) is in the input: edit it, Enter runs it; "
            f":pair shows the {label(other)} version (:pair {other} or another framework)",
        )
        return Reply(prefill=code)

    def counterpart(self) -> str:
        """The framework ``:pair`` shows by default: the other side of the user's pair."""
        from fwcheat.pair import PairError, configured_pair

        try:
            pair = configured_pair()
        except PairError:
            pair = DEFAULT_PAIR
        for fw in (*pair, *RUNNABLE_FRAMEWORKS):
            if fw != self.framework:
                return fw
        return other_framework(self.framework)  # pragma: no cover - the table has several

    def _pair(self, arg: str) -> None:
        from fwcheat.frameworks import resolve

        entry_id, framework = "", ""
        for part in arg.split():
            if resolve(part) in RUNNABLE_FRAMEWORKS:
                framework = framework_name(part)
            else:
                entry_id = part
        entry_id = entry_id or self.last_loaded or ""
        if not entry_id:
            raise CommandError("nothing loaded yet: :load ID first, or :pair ID [FRAMEWORK]")
        entry = self._entry(entry_id)
        other = framework or self.counterpart()
        if entry.snippets.get(other) is None:
            has = ", ".join(label(fw) for fw, _ in entry.snippets.items())
            raise CommandError(f"{entry.id} has no {label(other)} snippet (it has: {has})")
        self._show(entry, other)

    async def _run_entry(self, entry_id: str) -> None:
        entry = self._entry(entry_id)
        code = self._snippet_code(entry, self.framework)
        self.last_loaded = entry.id
        from rich.syntax import Syntax

        print_note(self.console, f"running {entry.id}: {entry.title} ({label(self.framework)})")
        self.console.print(Syntax(code, "python", theme="ansi_dark", background_color="default"))
        await self.run_code(code)

    async def _switch(self, arg: str) -> None:
        if not arg:

            def state(fw: str) -> str:
                return str(self.pool.state(fw).value)

            states = ", ".join(f"{label(fw)}: {state(fw)}" for fw in RUNNABLE_FRAMEWORKS)
            print_note(self.console, f"in {label(self.framework)} ({states}); :framework NAME switches")
            return
        framework = framework_name(arg)
        if framework == self.framework:
            print_note(self.console, f"already in {label(framework)}")
            return
        if not self.is_ready(framework):
            print_note(self.console, f"starting the {label(framework)} kernel…")
            if not await self._prepare(framework):
                return
            print_note(self.console, "Imported: " + "; ".join(PRELOADED[framework].splitlines()))
        previous, self.framework = self.framework, framework
        print_note(
            self.console,
            f"now in {label(framework)}; the {label(previous)} kernel keeps its state "
            f"(:framework {previous} goes back)",
            "bold",
        )

    async def _device(self, arg: str) -> None:
        if not arg:
            print_note(self.console, f"device: {self.pool.device} (:device cpu|cuda:N|auto changes it)")
            return
        try:
            request = parse_device(arg)
        except DeviceSpecError as exc:
            raise CommandError(str(exc)) from exc
        from fwcheat.devices import host_gpu_count, unavailable_reason

        previous = self.pool.device
        refusal = unavailable_reason(request, host_gpu_count())
        choice = self.pool.set_device(request) if refusal is None else None
        if choice is not None and not choice.ok:
            refusal = choice.reason
        if refusal is not None:
            print_error(self.console, refusal)
            print_note(self.console, f"device stays {previous}")
            return
        ready = sorted(fw for fw in self.prepared if self.is_ready(fw))
        answers = {fw: await self._setup_kernel(fw) for fw in ready}
        failed = {fw: a["error"] for fw, a in answers.items() if "error" in a}
        if failed:
            self.pool.set_device(previous)
            for fw in answers:
                await self._setup_kernel(fw)
            for fw, why in failed.items():
                print_error(self.console, f"{label(fw)}: {why}")
            print_note(self.console, f"device stays {previous}")
            return
        bound = ", ".join(
            f"{name} = {value}" for a in answers.values() for name, value in a.get("bound", {}).items()
        )
        text = Text(f"device is now {request}", style="bold")
        if bound:
            text.append(f" ({bound})", style="dim")
        self.console.print(text)
