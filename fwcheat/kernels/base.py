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
import os
from collections.abc import Callable

TYPE_CHECKING = False  # typing is not imported on `run`'s quick path
if TYPE_CHECKING:
    from typing import Any

    import numpy as np

#: The most output (stdout + stderr + results, in characters) one run keeps.
OUTPUT_CAP = 1_000_000
CUT_MARKER = "\n[fwcheat: output cut here; more than {cap:,} characters]\n"


class Status(str, enum.Enum):
    """How a run ended."""

    OK = "ok"
    ERROR = "error"
    TIMED_OUT = "timed out"
    INTERRUPTED = "interrupted"
    DIED = "died"


class _Plain:
    """``__eq__`` and ``__repr__`` from ``__slots__``, as a dataclass has them.

    These records are made on `fwcheat run`'s quick path, where importing
    ``dataclasses`` (and ``inspect`` with it) would cost more than the run.
    """

    __slots__: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(
            getattr(self, n) == getattr(other, n) for n in self.__slots__
        )

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"


class OutputEvent(_Plain):
    """One piece of output, in the order the kernel sent it.

    ``kind`` is ``"stdout"``, ``"stderr"``, ``"result"`` (the value of the last
    expression, as ``text/plain``), ``"display"`` (text of a display message),
    ``"image"`` (``text`` is the path the image was saved to) or ``"error"``.
    """

    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text

    def __hash__(self) -> int:
        return hash((self.kind, self.text))


class ErrorInfo(_Plain):
    """An exception raised by the code that ran."""

    __slots__ = ("name", "traceback", "value")

    def __init__(self, name: str, value: str, traceback: list[str] | None = None) -> None:
        self.name = name
        self.value = value
        self.traceback: list[str] = [] if traceback is None else traceback

    def __str__(self) -> str:
        return f"{self.name}: {self.value}" if self.value else self.name


class ExecutionResult(_Plain):
    """Everything one run produced."""

    __slots__ = ("duration", "error", "events", "expressions", "reason", "status", "truncated")

    def __init__(
        self,
        status: Status,
        events: list[OutputEvent] | None = None,
        error: ErrorInfo | None = None,
        duration: float = 0.0,
        reason: str = "",
        truncated: bool = False,
        expressions: dict[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.events: list[OutputEvent] = [] if events is None else events
        self.error = error
        #: Wall time from sending the code to the kernel going idle (seconds).
        self.duration = duration
        #: Why the run did not finish normally (timeout, how the kernel died).
        self.reason = reason
        #: True when output beyond :data:`OUTPUT_CAP` was dropped.
        self.truncated = truncated
        #: ``user_expressions`` results: name -> ``text/plain`` (or an error text).
        self.expressions: dict[str, Any] = {} if expressions is None else expressions

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


class Collector:
    """Gathers the output of one run from its IOPub messages, keeping at most ``cap`` characters."""

    def __init__(
        self, cap: int, on_output: OutputCallback | None, image_dir: str | os.PathLike[str] | None
    ) -> None:
        self.cap = cap
        self.size = 0
        self.truncated = False
        self.events: list[OutputEvent] = []
        self.error: ErrorInfo | None = None
        self.on_output = on_output
        self.image_dir = image_dir

    def add(self, kind: str, text: str) -> None:
        if self.truncated:
            return
        room = self.cap - self.size
        if len(text) > room:
            self.truncated = True
            text = text[: max(room, 0)]
            self._emit(kind, text)
            self._emit(kind, CUT_MARKER.format(cap=self.cap))
            return
        self._emit(kind, text)

    def _emit(self, kind: str, text: str) -> None:
        if not text:
            return
        self.size += len(text)
        last = self.events[-1] if self.events else None
        if last is not None and last.kind == kind and kind in ("stdout", "stderr"):
            self.events[-1] = OutputEvent(kind, last.text + text)
        else:
            self.events.append(OutputEvent(kind, text))
        if self.on_output is not None:
            self.on_output(OutputEvent(kind, text))

    def add_data(self, kind: str, data: dict[str, Any]) -> None:
        for mime, ext in (("image/png", "png"), ("image/jpeg", "jpg")):
            if mime in data and self.image_dir is not None:
                from fwcheat.paths import private_dir, private_file

                folder = private_dir(os.fspath(self.image_dir))
                path = private_file(os.path.join(folder, f"{os.urandom(6).hex()}.{ext}"))  # 0600 first
                with open(path, "wb") as handle:
                    handle.write(base64.b64decode(data[mime]))
                self.add("image", path)
                return
        if "text/plain" in data:
            self.add(kind, str(data["text/plain"]))

    def handle(self, msg: dict[str, Any]) -> bool:
        """Take one iopub message; True when the run is over (kernel idle)."""
        kind = msg["header"]["msg_type"]
        content = msg["content"]
        if kind == "stream":
            self.add("stdout" if content.get("name") == "stdout" else "stderr", content["text"])
        elif kind == "execute_result":
            self.add_data("result", content.get("data", {}))
        elif kind in ("display_data", "update_display_data"):
            self.add_data("display", content.get("data", {}))
        elif kind == "error":
            self.error = ErrorInfo(
                str(content.get("ename", "")),
                str(content.get("evalue", "")),
                list(content.get("traceback", [])),
            )
            self.add("error", str(self.error))
        elif kind == "status":
            return bool(content.get("execution_state") == "idle")
        return False


class Completion(_Plain):
    """Candidates for completing the code at a cursor position."""

    __slots__ = ("cursor_end", "cursor_start", "matches")

    def __init__(self, matches: list[str], cursor_start: int, cursor_end: int) -> None:
        self.matches = matches
        self.cursor_start = cursor_start
        self.cursor_end = cursor_end


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


class Fetched(_Plain):
    """A value fetched from a kernel for comparison: an array, or why there is none.

    NumPy is imported only when an array arrives: fwcheat itself does not
    depend on it, the kernels do.
    """

    __slots__ = ("array", "error", "message", "type_name")

    def __init__(
        self, array: np.ndarray | None = None, error: str = "", message: str = "", type_name: str = ""
    ) -> None:
        self.array = array
        self.error = error  # "missing", "non-numeric" or "not run"
        self.message = message
        self.type_name = type_name

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
