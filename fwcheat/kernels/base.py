"""The execution backend's interface: what a kernel can do and what a run returns.

The CLI, the TUI and the REPL all run snippets through this interface, so it is
kept small and returns plain data. Nothing here imports jupyter_client: a test
double or another backend only has to implement :class:`Kernel`.
"""

from __future__ import annotations

import abc
import base64
import enum
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: The most output (stdout + stderr + results, in characters) one run keeps.
OUTPUT_CAP = 1_000_000


class Status(str, enum.Enum):
    """How a run ended."""

    OK = "ok"
    ERROR = "error"
    TIMED_OUT = "timed out"
    INTERRUPTED = "interrupted"
    DIED = "died"


@dataclass(frozen=True)
class OutputEvent:
    """One piece of output, in the order the kernel sent it.

    ``kind`` is ``"stdout"``, ``"stderr"``, ``"result"`` (the value of the last
    expression, as ``text/plain``), ``"display"`` (text of a display message),
    ``"image"`` (``text`` is the path the image was saved to) or ``"error"``.
    """

    kind: str
    text: str


@dataclass(frozen=True)
class ErrorInfo:
    """An exception raised by the code that ran."""

    name: str
    value: str
    traceback: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.name}: {self.value}" if self.value else self.name


@dataclass
class ExecutionResult:
    """Everything one run produced."""

    status: Status
    events: list[OutputEvent] = field(default_factory=list)
    error: ErrorInfo | None = None
    #: Wall time from sending the code to the kernel going idle (seconds).
    duration: float = 0.0
    #: Why the run did not finish normally (timeout, how the kernel died).
    reason: str = ""
    #: True when output beyond :data:`OUTPUT_CAP` was dropped.
    truncated: bool = False
    #: ``user_expressions`` results: name -> ``text/plain`` (or an error text).
    expressions: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    def _text(self, kinds: tuple[str, ...]) -> str:
        return "".join(e.text for e in self.events if e.kind in kinds)

    @property
    def stdout(self) -> str:
        return self._text(("stdout",))

    @property
    def stderr(self) -> str:
        return self._text(("stderr",))

    @property
    def result(self) -> str | None:
        """``text/plain`` of the last expression's value, if there was one."""
        values = [e.text for e in self.events if e.kind == "result"]
        return values[-1] if values else None

    @property
    def images(self) -> list[str]:
        return [e.text for e in self.events if e.kind == "image"]

    @property
    def output(self) -> str:
        """What a knowledge entry records as ``output``.

        The stdout text and the ``text/plain`` of the last expression, in
        arrival order; stderr (warnings) is left out.
        """
        parts: list[str] = []
        for e in self.events:
            if e.kind == "stdout":
                parts.append(e.text)
            elif e.kind == "result":
                if parts and not parts[-1].endswith("\n"):
                    parts.append("\n")
                parts.append(e.text + "\n")
        return "".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "result": self.result,
            "images": self.images,
            "output": self.output,
            "error": None
            if self.error is None
            else {
                "name": self.error.name,
                "value": self.error.value,
                "traceback": self.error.traceback,
            },
            "duration": round(self.duration, 4),
            "reason": self.reason,
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class Completion:
    """Candidates for completing the code at a cursor position."""

    matches: list[str]
    cursor_start: int
    cursor_end: int


#: Receives output as it arrives, for streaming displays.
OutputCallback = Callable[[OutputEvent], None]


class KernelError(RuntimeError):
    """A kernel could not be started or does not answer."""


class Kernel(abc.ABC):
    """A live interpreter that runs code outside the calling process."""

    #: A short description for messages, e.g. ``"pytorch (python3)"``.
    name: str

    @abc.abstractmethod
    async def start(self) -> None:
        """Start the interpreter and wait until it answers."""

    @abc.abstractmethod
    async def execute(
        self,
        code: str,
        timeout: float | None = None,
        on_output: OutputCallback | None = None,
        user_expressions: dict[str, str] | None = None,
        *,
        silent: bool = False,
    ) -> ExecutionResult:
        """Run ``code``; never raises for faults in the code or the kernel.

        On timeout the kernel is interrupted (and restarted if that does not
        take); a kernel that died is restarted on the next call.
        ``user_expressions`` are evaluated after the code (Jupyter semantics);
        a ``silent`` run is kept out of the history.
        """

    @abc.abstractmethod
    async def interrupt(self) -> None:
        """Interrupt the running code (like Ctrl-C)."""

    @abc.abstractmethod
    async def restart(self) -> None:
        """Replace the interpreter with a fresh one."""

    @abc.abstractmethod
    async def shutdown(self) -> None:
        """Stop the interpreter; safe to call twice."""

    @abc.abstractmethod
    async def complete(self, code: str, cursor_pos: int | None = None) -> Completion:
        """Completion candidates at ``cursor_pos`` (default: end of code)."""

    @abc.abstractmethod
    async def is_complete(self, code: str) -> str:
        """``"complete"``, ``"incomplete"``, ``"invalid"`` or ``"unknown"``."""

    @property
    @abc.abstractmethod
    def pid(self) -> int | None:
        """The interpreter's process id, while it runs."""

    async def dead_reason(self) -> str | None:
        """Why a started interpreter is gone (None while it lives or was never started)."""
        return None


@dataclass(frozen=True)
class Fetched:
    """A value fetched from a kernel for comparison: an array, or why there is none.

    NumPy is imported only when an array arrives: fwcheat itself does not
    depend on it, the kernels do.
    """

    array: np.ndarray | None = None
    error: str = ""  # "missing", "non-numeric" or "not run"
    message: str = ""
    type_name: str = ""

    @classmethod
    def from_json(cls, text: str) -> Fetched:
        """Decode what ``_fwcheat_kernel.fetch`` returned."""
        try:
            data: dict[str, Any] = json.loads(text)
        except ValueError:
            return cls(error="not run", message=f"unreadable reply: {text[:200]!r}")
        if "error" in data:
            return cls(
                error=str(data["error"]),
                message=str(data.get("message", "")),
                type_name=str(data.get("type", "")),
            )
        import numpy as np

        raw = base64.b64decode(data["npy"])
        array = np.load(io.BytesIO(raw), allow_pickle=False)
        return cls(array=array, type_name=str(data.get("type", "")))
