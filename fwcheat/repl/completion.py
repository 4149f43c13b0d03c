"""Tab completion: command names and their arguments here, Python from the kernel.

Code is completed by the kernel (a Jupyter ``complete_request``), so the
candidates are the live names of the session: what the user defined and the
attributes of real tensors. Commands are completed locally from
:data:`~fwcheat.repl.commands.COMMAND_SPECS`: names, entry ids, frameworks and
devices.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from fwcheat.knowledge.model import RUNNABLE_FRAMEWORKS
from fwcheat.repl.commands import ALIASES, COMMAND_SPECS, SPECS_BY_NAME, is_command
from fwcheat.repl.engine import ReplEngine, label

DEVICE_WORDS = ("cpu", "auto", "cuda:0", "cuda:1", "gpu:0")


def _matching(prefix: str, words: Iterable[str]) -> list[str]:
    """Words starting with ``prefix``, then words containing it."""
    low = prefix.lower()
    words = list(words)
    first = [w for w in words if w.lower().startswith(low)]
    return first + [w for w in words if low in w.lower() and w not in first]


class ReplCompleter(Completer):
    def __init__(self, engine: ReplEngine) -> None:
        self.engine = engine
        self._ids: list[str] | None = None

    def entry_ids(self) -> list[str]:
        if self._ids is None:
            self._ids = self.engine.store.ids()
        return self._ids

    def command_completions(self, document: Document) -> Iterable[Completion]:
        before = document.text_before_cursor.lstrip()
        if not before.startswith(":"):
            return
        name, space, arg = before[1:].partition(" ")
        if not space:
            for spec in COMMAND_SPECS:
                if spec.name.startswith(name.lower()):
                    yield Completion(
                        f":{spec.name}", -len(before), display=spec.usage, display_meta=spec.help
                    )
            return
        found = SPECS_BY_NAME.get(ALIASES.get(name.lower(), name.lower()))
        if found is None or " " in arg.strip():
            return
        if found.arg == "entry":
            candidates = [(i, "") for i in _matching(arg, self.entry_ids())[:50]]
        elif found.arg == "framework":
            candidates = [(fw, label(fw)) for fw in _matching(arg, RUNNABLE_FRAMEWORKS)]
        elif found.arg == "device":
            candidates = [(d, "") for d in _matching(arg, DEVICE_WORDS)]
        else:
            return
        for word, meta in candidates:
            yield Completion(word, -len(arg), display_meta=meta)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        if is_command(document.text):
            yield from self.command_completions(document)

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        if is_command(document.text):
            for completion in self.command_completions(document):
                yield completion
            return
        if not document.text_before_cursor.strip():
            return
        cursor = document.cursor_position
        matches, start, _end = await self.engine.complete(document.text, cursor)
        for match in matches:
            yield Completion(match, start - cursor)
