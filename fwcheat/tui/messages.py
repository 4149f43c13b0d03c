"""Past-tense messages the TUI's workers post when something has happened.

Workers never touch widgets: they post one of these and the app, on its own
event loop, updates the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from fwcheat.compare import Verdict
    from fwcheat.kernels.base import ExecutionResult, Fetched
    from fwcheat.knowledge.card import Card
    from fwcheat.scan.report import ScanReport
    from fwcheat.scan.sources import Source, Unreadable
    from fwcheat.tui.kernels import KernelState


class CatalogLoaded(Message):
    """The knowledge base is open and searchable."""

    def __init__(self, count: int, problems: int) -> None:
        super().__init__()
        self.count = count
        self.problems = problems


class FileScanned(Message):
    """`--scan FILE` was read and scanned (``source`` is None when it could not be read)."""

    def __init__(self, source: Source | None, report: ScanReport | None, problems: list[Unreadable]) -> None:
        super().__init__()
        self.source = source
        self.report = report
        self.problems = problems


class ResultsFound(Message):
    """A search (or the full list, for an empty query) finished."""

    def __init__(self, query: str, cards: list[Card], seconds: float) -> None:
        super().__init__()
        self.query = query
        self.cards = cards
        self.seconds = seconds


class KernelStateChanged(Message):
    """A framework's kernel started, became busy or idle, died, or cannot run."""

    def __init__(self, state: KernelState) -> None:
        super().__init__()
        self.state = state


class SnippetFinished(Message):
    """A snippet (or a REPL line) finished running, however it ended."""

    def __init__(
        self,
        framework: str,
        entry_id: str,
        result: ExecutionResult,
        repl: bool = False,
        fetched: Fetched | None = None,
    ) -> None:
        super().__init__()
        self.framework = framework
        self.entry_id = entry_id
        self.result = result
        self.repl = repl
        #: The entry's ``compare`` value, fetched inside the run request (None when not asked or failed).
        self.fetched = fetched


class VerdictReached(Message):
    """The shown sides ran and the entry's ``compare`` variable was checked."""

    def __init__(
        self, entry_id: str, verdict: Verdict, verdicts: dict[str, Verdict] | None = None, note: str = ""
    ) -> None:
        super().__init__()
        #: What else to say (a side that failed).
        self.note = note
        self.entry_id = entry_id
        self.verdict = verdict
        #: A verdict per framework compared with the reference (one line each on screen).
        self.verdicts = verdicts or {}


class DeviceChanged(Message):
    def __init__(self, device: str) -> None:
        super().__init__()
        self.device = device


class DeviceRejected(Message):
    """The chosen device is not present; the current one is kept."""

    def __init__(self, device: str, reason: str, kept: str) -> None:
        super().__init__()
        self.device = device
        self.reason = reason
        self.kept = kept
