"""A kernel that runs code in this process, for fast tests of the engine's orchestration.

It speaks the same small protocol as the real kernels do with
:mod:`fwcheat.kernels.prelude`: the startup and probe expressions, the
``#fwcheat:prepare`` first line (fresh namespace, device variable, refusal of
a GPU it does not have) and the ``fetch`` expression. Snippets are plain Python
run with ``exec``; three names let a test cause faults:

- ``die()`` ends the "process" (the run comes back ``died``),
- ``hang()`` runs past any timeout (the run comes back ``timed out``),
- ``wait_for_interrupt()`` blocks until :meth:`FakeKernel.interrupt`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fwcheat import frameworks
from fwcheat.kernels import prelude
from fwcheat.kernels.base import (
    Completion,
    ErrorInfo,
    ExecutionResult,
    Kernel,
    KernelError,
    OutputCallback,
    OutputEvent,
    Status,
)

_pids = itertools.count(50_000)


class _Died(BaseException):
    pass


@dataclass
class FakeWorld:
    """What the fake machine has, and a record of what the engine did to it."""

    gpus: int = 0
    #: framework -> why its import fails.
    broken: dict[str, str] = field(default_factory=dict)
    #: frameworks whose kernel cannot even start.
    no_start: set[str] = field(default_factory=set)
    #: frameworks whose current kernel cannot be reset for a fresh run (until restarted).
    unresettable: set[str] = field(default_factory=set)
    #: (framework, what happened): "start", "restart", "shutdown", "interrupt".
    log: list[tuple[str, str]] = field(default_factory=list)
    kernels: dict[str, FakeKernel] = field(default_factory=dict)

    def factory(self, framework: str, kernel_name: str | None, **options: Any) -> FakeKernel:
        kernel = FakeKernel(self, framework, options)
        self.kernels[framework] = kernel
        return kernel


class FakeKernel(Kernel):
    def __init__(self, world: FakeWorld, framework: str, options: dict[str, Any]) -> None:
        self.world = world
        self.framework = framework
        self.name = framework
        self.options = options
        self.namespace: dict[str, Any] = {}
        self._pid: int | None = None
        self._dead: str | None = None
        self._interrupted = asyncio.Event()
        self.runs = 0

    # -- life cycle -------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._pid

    async def start(self) -> None:
        self.world.log.append((self.framework, "start"))
        if self.framework in self.world.no_start:
            raise KernelError(f"{self.framework}: the kernel did not start (no such interpreter)")
        await asyncio.sleep(0)
        self._pid = next(_pids)
        self._dead = None
        self.namespace = {}

    async def restart(self) -> None:
        self.world.log.append((self.framework, "restart"))
        self.world.unresettable.discard(self.framework)
        await self.start()

    async def shutdown(self) -> None:
        self.world.log.append((self.framework, "shutdown"))
        self._pid = None

    async def interrupt(self) -> None:
        self.world.log.append((self.framework, "interrupt"))
        self._interrupted.set()

    async def dead_reason(self) -> str | None:
        return self._dead

    def kill(self) -> None:
        """The process dies while idle (as if killed from outside)."""
        self._dead = "killed by SIGKILL"
        self._pid = None

    async def complete(self, code: str, cursor_pos: int | None = None) -> Completion:
        return Completion([], len(code), len(code))

    async def is_complete(self, code: str) -> str:
        return "complete"

    # -- running ------------------------------------------------------------------
    def _expression(self, text: str) -> dict[str, Any]:
        def ok(value: str) -> dict[str, Any]:
            return {"status": "ok", "data": {"text/plain": repr(value)}}

        if text == prelude.startup_expression():
            broken = self.world.broken.get(self.framework)
            return ok(json.dumps({"error": broken} if broken else {"ok": True}))
        if ".probe(" in text:
            row = frameworks.get(self.framework)
            return ok(json.dumps({row.version_module: "9.9", "gpus": self.world.gpus}))
        match = re.search(r"\.fetch\('(\w+)'\)", text)
        if match:
            return ok(self._fetch(match[1]))
        return {"status": "error", "ename": "NameError", "evalue": text}

    def _fetch(self, name: str) -> str:
        import base64

        if name not in self.namespace:
            return json.dumps({"error": "missing", "message": f"{name} is not defined"})
        array = np.asarray(self.namespace[name])
        if array.dtype.kind not in "biufc":
            return json.dumps({"error": "non-numeric", "type": "str", "message": "dtype"})
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return json.dumps({"type": "numpy.ndarray", "npy": base64.b64encode(buffer.getvalue()).decode()})

    def _prepare(self, code: str) -> tuple[str, str | None]:
        """Strip the prepare line: (the snippet, the refusal if the device is not there)."""
        if not code.startswith(prelude.PREPARE_MARK):
            return code, None
        first, _, rest = code.partition("\n")
        framework, kind, index, fresh, *_cwd = json.loads(first[len(prelude.PREPARE_MARK) :])
        if fresh and framework in self.world.unresettable:
            return rest, f"{prelude.PREPARE_FAILED}: RuntimeError: builtins are gone"
        if fresh:
            self.namespace = {}
        row = frameworks.get(framework)
        if kind == "auto":
            kind, index = ("gpu", 0) if self.world.gpus else ("cpu", 0)
        if kind == "gpu" and index >= self.world.gpus:
            return (
                rest,
                f"{row.device_name('gpu', index)} asked for, but {row.label} sees {self.world.gpus} GPUs",
            )
        self.namespace[row.device_var] = row.device_name(kind, index)
        return rest, None

    async def execute(
        self,
        code: str,
        timeout: float | None = None,
        on_output: OutputCallback | None = None,
        user_expressions: dict[str, str] | None = None,
        *,
        silent: bool = False,
    ) -> ExecutionResult:
        note = ""
        if self._dead is not None:  # like JupyterKernel: replace it before running
            note = f"the previous kernel {self._dead}; started a new one"
            await self.restart()
        self.runs += 0 if silent else 1
        events: list[OutputEvent] = []

        def emit(kind: str, text: str) -> None:
            events.append(OutputEvent(kind, text))
            if on_output is not None:
                on_output(OutputEvent(kind, text))

        source, refusal = self._prepare(code)
        if refusal is not None:
            emit("error", f"DeviceUnavailable: {refusal}")
            return ExecutionResult(Status.ERROR, events, ErrorInfo("DeviceUnavailable", refusal, ["tb"]))
        self._interrupted.clear()

        def die() -> None:
            raise _Died

        async def run() -> ExecutionResult:
            buffer = io.StringIO()
            hang = "hang()" in source
            waits = "wait_for_interrupt()" in source
            body = source.replace("hang()", "pass").replace("wait_for_interrupt()", "pass")
            try:
                self.namespace["die"] = die
                with contextlib.redirect_stdout(buffer):
                    exec(body, self.namespace)
            except _Died:
                self.kill()
                return ExecutionResult(Status.DIED, reason="the kernel killed by SIGKILL")
            except Exception as exc:
                if buffer.getvalue():
                    emit("stdout", buffer.getvalue())
                emit("error", f"{type(exc).__name__}: {exc}")
                return ExecutionResult(Status.ERROR, events, ErrorInfo(type(exc).__name__, str(exc)))
            if buffer.getvalue():
                emit("stdout", buffer.getvalue())
            if hang:
                await asyncio.sleep(3600)
            if waits:
                await self._interrupted.wait()
                emit("error", "KeyboardInterrupt")
                return ExecutionResult(Status.INTERRUPTED, events, ErrorInfo("KeyboardInterrupt", ""))
            return ExecutionResult(Status.OK, events)

        try:
            result = await asyncio.wait_for(run(), timeout)
        except asyncio.TimeoutError:
            result = ExecutionResult(
                Status.TIMED_OUT, events, reason=f"timed out after {timeout:g} s; interrupted"
            )
        if result.ok:
            result.expressions = {k: self._expression(v) for k, v in (user_expressions or {}).items()}
        if note and not result.reason:
            result.reason = note
        return result


def fake_options(tmp_path: Path) -> dict[str, Any]:
    """Keyword arguments for a KernelPool that uses no real directories of the user's."""
    return {"image_dir": tmp_path / "images"}
