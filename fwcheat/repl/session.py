"""The prompt-toolkit front end of `fwcheat repl`.

It reads input (Python highlighted, blocks run when complete, history kept in
the user data dir), shows the foreign-API hint in the bottom toolbar, and hands
each entered block to the :class:`~fwcheat.repl.engine.ReplEngine`.

While a cell runs, the terminal stays in raw mode and the keys typed are read
here: Ctrl-C interrupts the kernel (a second one restarts it) and every other
key is kept as type-ahead for the next prompt. A SIGINT (Ctrl-C from outside a
raw terminal) does the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import FileHistory, History
from prompt_toolkit.input import Input
from prompt_toolkit.input.typeahead import get_typeahead, store_typeahead
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.key_binding.key_processor import KeyPress
from prompt_toolkit.keys import Keys
from prompt_toolkit.lexers import Lexer, PygmentsLexer
from prompt_toolkit.output import Output
from prompt_toolkit.shortcuts import CompleteStyle
from prompt_toolkit.styles import Style

from fwcheat.repl.blocks import block_state
from fwcheat.repl.commands import is_command
from fwcheat.repl.completion import ReplCompleter
from fwcheat.repl.engine import PRELOADED, ReplEngine, label
from fwcheat.repl.render import print_error, print_note

STYLE = Style.from_dict(
    {
        "command": "ansicyan bold",
        "prompt.framework": "ansigreen bold",
        "prompt": "ansigreen",
        "continuation": "ansibrightblack",
        "bottom-toolbar": "noreverse bg:ansibrightblack ansiwhite",
        "bottom-toolbar.hint": "noreverse bg:ansiyellow ansiblack",
    }
)
INDENT = "    "


def history_path() -> Path:
    """``<user data dir>/repl_history``."""
    from fwcheat.paths import data_dir

    return Path(data_dir()) / "repl_history"


def default_history() -> History:
    from fwcheat.paths import private_file

    path = history_path()
    try:
        private_file(str(path))  # what was typed (tokens too) is the user's alone
    except OSError:
        from prompt_toolkit.history import InMemoryHistory

        return InMemoryHistory()
    return FileHistory(str(path))


class ReplLexer(Lexer):
    """Python highlighting for code; one style for a ``:command`` line."""

    def __init__(self) -> None:
        from pygments.lexers.python import PythonLexer

        self._python = PygmentsLexer(PythonLexer)

    def lex_document(self, document: Document) -> Callable[[int], StyleAndTextTuples]:
        if is_command(document.text):
            lines = document.lines
            return lambda i: [("class:command", lines[i])] if i < len(lines) else []
        return self._python.lex_document(document)


class ReplSession:
    """One interactive session: the prompt loop around a :class:`ReplEngine`."""

    def __init__(
        self,
        engine: ReplEngine,
        *,
        input: Input | None = None,
        output: Output | None = None,
        history: History | None = None,
    ) -> None:
        self.engine = engine
        self._hint_cache: tuple[str, str, Any] = ("", "", None)
        #: The first kernel's start, which runs while the first input is typed.
        self.starting: asyncio.Future[None] | None = None
        self.prompt: PromptSession[str] = PromptSession(
            input=input,
            output=output,
            history=history if history is not None else default_history(),
            lexer=ReplLexer(),
            completer=ReplCompleter(engine),
            complete_while_typing=Condition(lambda: is_command(self.prompt.default_buffer.text)),
            complete_style=CompleteStyle.COLUMN,
            bottom_toolbar=self.toolbar,
            key_bindings=self._key_bindings(),
            multiline=True,
            prompt_continuation=self._continuation,
            style=STYLE,
            include_default_pygments_style=True,
            enable_open_in_editor=False,
        )

    # -- what the prompt shows ------------------------------------------------------

    def _message(self) -> StyleAndTextTuples:
        fw = self.engine.framework
        return [("class:prompt.framework", label(fw)), ("class:prompt", f" [{self.engine.counts[fw] + 1}]: ")]

    def _continuation(self, width: int, line_number: int, is_soft_wrap: int) -> StyleAndTextTuples:
        return [("class:continuation", "...: ".rjust(width))]

    def hint_text(self) -> str:
        """The hint for the current input ('' when there is none)."""
        text, fw = self.prompt.default_buffer.text, self.engine.framework
        if (text, fw) != self._hint_cache[:2]:
            self._hint_cache = (text, fw, self.engine.hint(text))
        hint = self._hint_cache[2]
        return "" if hint is None else hint.text()

    def toolbar(self) -> StyleAndTextTuples:
        try:
            width = self.prompt.app.output.get_size().columns
        except Exception:
            width = 120
        hint = self.hint_text()
        if hint:
            return [("class:bottom-toolbar.hint", (" hint: " + hint)[: max(width - 1, 20)])]
        engine = self.engine
        state = " (kernel starting…)" if self.starting is not None and not self.starting.done() else ""
        status = f" {label(engine.framework)}{state} · {engine.pool.device} · :help commands · Ctrl-D quits"
        return [("class:bottom-toolbar", status[: max(width - 1, 20)])]

    # -- keys ----------------------------------------------------------------------

    def _key_bindings(self) -> KeyBindings:
        bindings = KeyBindings()

        @bindings.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            buffer = event.current_buffer
            state = buffer.complete_state
            text = buffer.text
            if state is not None and state.current_completion is not None:
                buffer.complete_state = None  # the chosen completion is in the text already
                if not is_command(text):
                    return
            if is_command(text):
                buffer.validate_and_handle()
                return
            document = buffer.document
            if "\n" in text and not document.is_cursor_at_the_end:
                line = document.current_line_before_cursor
                buffer.insert_text("\n" + line[: len(line) - len(line.lstrip())])
                return
            status, indent = block_state(text)
            if status == "incomplete":
                buffer.insert_text("\n" + " " * indent)
                return
            if text != text.rstrip():  # the blank line that ended a block is not part of it
                buffer.text = text.rstrip()
            buffer.validate_and_handle()

        @bindings.add("escape", "enter")
        def _run_now(event: KeyPressEvent) -> None:
            event.current_buffer.validate_and_handle()

        at_indent = Condition(
            lambda: not self.prompt.default_buffer.document.current_line_before_cursor.strip()
        )

        @bindings.add("tab", filter=at_indent)
        def _indent(event: KeyPressEvent) -> None:
            event.current_buffer.insert_text(INDENT)

        return bindings

    @contextlib.contextmanager
    def _watching_ctrl_c(self) -> Iterator[None]:
        """While a cell runs: Ctrl-C goes to the engine, other keys wait for the next prompt."""
        inp = self.prompt.input
        kept: list[KeyPress] = list(get_typeahead(inp))

        def keys_ready() -> None:
            for key in inp.read_keys():
                if key.key == Keys.ControlC:
                    self.engine.on_ctrl_c()
                else:
                    kept.append(key)

        loop = asyncio.get_running_loop()
        handles_sigint = False
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGINT, self.engine.on_ctrl_c)
            handles_sigint = True
        try:
            with inp.raw_mode(), inp.attach(keys_ready):
                yield
        finally:
            if handles_sigint:
                loop.remove_signal_handler(signal.SIGINT)
            with contextlib.suppress(Exception):
                kept.extend(inp.flush_keys())
            store_typeahead(inp, kept)

    # -- the loop --------------------------------------------------------------------

    async def _start_kernel(self) -> None:
        """Start the first kernel while the user may already type; report above the prompt."""
        engine = self.engine
        with engine.console.capture() as captured:
            if await engine.start():
                info = engine.pool.info.get(engine.framework)
                version = info.version if info else ""
                print_note(
                    engine.console,
                    f"{label(engine.framework)} {version} ready on {engine.pool.device}.",
                    "bold",
                )
                print_note(engine.console, "Imported: " + "; ".join(PRELOADED[engine.framework].splitlines()))
            else:
                print_error(engine.console, "this kernel cannot run; :framework NAME switches")
        report = captured.get()

        def show() -> None:
            engine.console.file.write(report)
            engine.console.file.flush()

        if self.prompt.app.is_running:
            await run_in_terminal(show)
        else:
            show()

    async def run(self) -> int:
        """Read and run until Ctrl-D or ``:quit``; the kernels are always shut down."""
        engine = self.engine
        console = engine.console
        # Open the index now (it may print that it is rebuilding): nothing may print under the prompt.
        engine.store  # noqa: B018 - opened here, where printing is still allowed
        hints = asyncio.ensure_future(asyncio.to_thread(engine.build_hints))
        print_note(
            console,
            f"fwcheat repl · starting the {label(engine.framework)} kernel; you can type meanwhile. "
            "Enter runs a complete block, :help lists commands, Ctrl-C interrupts, Ctrl-D quits.",
        )
        starting = self.starting = asyncio.ensure_future(self._start_kernel())
        starting.add_done_callback(lambda _: self.prompt.app.invalidate())
        try:
            prefill = ""
            while True:
                try:
                    text = await self.prompt.prompt_async(self._message, default=prefill)
                except KeyboardInterrupt:
                    prefill = ""
                    continue
                except EOFError:
                    break
                prefill = ""
                with self._watching_ctrl_c():
                    if engine.needs_kernel(text):
                        if not starting.done():
                            print_note(console, f"waiting for the {label(engine.framework)} kernel to start…")
                        await starting
                    reply = await engine.handle(text)
                if reply.exit:
                    break
                prefill = reply.prefill
        finally:
            starting.cancel()
            await engine.shutdown()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(hints, 5.0)
        return 0
