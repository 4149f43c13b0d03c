"""One kernel per framework, prepared for running knowledge-base snippets.

A :class:`KernelPool` starts the PyTorch and MXNet kernels side by side,
gives every snippet a fresh namespace with ``device`` / ``ctx`` bound to the
chosen device, and fetches variables back as NumPy data for comparison. It is
the engine the CLI, the TUI and the REPL share; it never renders anything.

Use it as ``async with KernelPool(...) as pool:`` so the kernels are shut down
however the block ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from fwcheat import frameworks
from fwcheat.compare import Fetched
from fwcheat.devices import DeviceRequest, parse_device
from fwcheat.kernels import prelude
from fwcheat.kernels.base import (
    OUTPUT_CAP,
    ErrorInfo,
    ExecutionResult,
    KernelError,
    OutputCallback,
    Status,
)
from fwcheat.kernels.config import KernelConfig, load_kernel_config
from fwcheat.kernels.jupyter import (
    JupyterKernel,
    kill_leftover_kernels,
    private_runtime_dir,
    remove_runtime_dir,
)

#: Default time one snippet may run (seconds).
DEFAULT_TIMEOUT = 60.0
#: Time a kernel may take to start and import its framework.
STARTUP_TIMEOUT = 120.0

T = TypeVar("T")


@dataclass
class KernelInfo:
    """What a framework's kernel reported about itself after starting."""

    framework: str
    kernel: str  # kernelspec name or "this interpreter"
    pid: int | None = None
    probe: dict[str, Any] = field(default_factory=dict)
    error: str = ""  # why it cannot run this framework

    @property
    def gpus(self) -> int:
        return int(self.probe.get("gpus", 0) or 0)


FETCH_KEY = "fwcheat_fetch"


def default_image_dir() -> Path:
    """Where images a snippet displays are saved (they outlive the kernels)."""
    from fwcheat.paths import cache_dir

    return Path(cache_dir()) / "images"


def _decode_fetch(reply: dict[str, Any] | None, reason: str = "") -> Fetched:
    text = prelude.raw_expression(reply)
    if text is None:
        return Fetched(error="not run", message=reason or str(reply or "no answer"))
    return Fetched.from_json(text)


def _failure(name: str, message: str, status: Status = Status.ERROR) -> ExecutionResult:
    return ExecutionResult(status, error=ErrorInfo(name, message), reason=message)


class KernelPool:
    """The kernels fwcheat runs snippets in, one per framework."""

    def __init__(
        self,
        device: DeviceRequest | str = "cpu",
        *,
        config: KernelConfig | None = None,
        output_cap: int = OUTPUT_CAP,
        image_dir: Path | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
    ) -> None:
        self.device = parse_device(device) if isinstance(device, str) else device
        self.config = config if config is not None else load_kernel_config()
        self.output_cap = output_cap
        self.runtime_dir: Path | None = None  # created when the first kernel starts
        self.image_dir = image_dir or default_image_dir()
        self.startup_timeout = startup_timeout
        self.kernels: dict[str, JupyterKernel] = {}
        self.info: dict[str, KernelInfo] = {}
        self._starting: dict[str, asyncio.Task[KernelInfo]] = {}

    async def __aenter__(self) -> KernelPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()

    # -- kernels ---------------------------------------------------------------

    async def start(self, *frameworks: str) -> dict[str, KernelInfo]:
        """Start the kernels for ``frameworks`` at the same time."""
        infos = await asyncio.gather(*(self.ensure(fw) for fw in frameworks))
        return dict(zip(frameworks, infos, strict=True))

    async def ensure(self, framework: str) -> KernelInfo:
        """Start ``framework``'s kernel unless it is running or starting."""
        if framework in self.info:
            return self.info[framework]
        task = self._starting.get(framework)
        if task is None:
            task = asyncio.ensure_future(self._start(framework))
            self._starting[framework] = task
        try:
            return await asyncio.shield(task)
        finally:
            if task.done():
                self._starting.pop(framework, None)

    async def _start(self, framework: str) -> KernelInfo:
        if self.runtime_dir is None:
            self.runtime_dir = private_runtime_dir()
        spec = self.config.kernel_for(framework)
        info = KernelInfo(framework, spec or "this interpreter")
        kernel = JupyterKernel(
            framework,
            spec,
            startup_code=prelude.startup_code(framework, self.output_cap),
            runtime_dir=self.runtime_dir,
            image_dir=self.image_dir,
            output_cap=self.output_cap,
            startup_timeout=self.startup_timeout,
            env=dict(frameworks.get(framework).kernel_env),
        )
        try:
            await kernel.start()
        except KernelError as exc:
            info.error = str(exc)
            self.info[framework] = info
            return info
        self.kernels[framework] = kernel
        info.pid = kernel.pid
        reply = await kernel.execute(
            "",
            timeout=self.startup_timeout,
            user_expressions={
                "startup": prelude.startup_expression(),
                "probe": prelude.call("probe", framework),
            },
            silent=True,
        )
        started = prelude.decode_expression(reply.expressions.get("startup"))
        info.probe = prelude.decode_expression(reply.expressions.get("probe"))
        if "error" in started:
            info.error = (
                f"{framework} cannot be imported in {info.kernel}: {started['error']}; "
                f"install it with: {frameworks.get(framework).install_hint}"
            )
        self.info[framework] = info
        return info

    async def shutdown(self) -> None:
        """Stop every kernel (concurrently); safe to call twice."""
        for task in self._starting.values():
            task.cancel()
        kernels, self.kernels = list(self.kernels.values()), {}
        self.info.clear()
        await asyncio.gather(*(k.shutdown() for k in kernels), return_exceptions=True)
        if self.runtime_dir is not None:
            remove_runtime_dir(self.runtime_dir)
            self.runtime_dir = None

    def pids(self) -> list[int]:
        return [pid for k in self.kernels.values() if (pid := k.pid) is not None]

    # -- running ---------------------------------------------------------------

    async def run(
        self,
        framework: str,
        code: str,
        *,
        setup: str = "",
        timeout: float | None = DEFAULT_TIMEOUT,
        on_output: OutputCallback | None = None,
        fresh: bool = True,
        fetch: str | None = None,
    ) -> ExecutionResult:
        """Run ``setup`` + ``code`` in ``framework``'s kernel.

        With ``fresh`` the namespace is emptied first and ``device`` / ``ctx``
        bound again. Problems (no such framework, device not there, kernel
        died) come back as the result's status and error. ``fetch`` names a
        variable to bring back in the same request (see :meth:`fetched`).
        """
        info = await self.ensure(framework)
        if info.error:
            return _failure("KernelUnavailable", info.error, Status.DIED)
        kernel = self.kernels[framework]
        source = code if not setup else setup.rstrip("\n") + "\n" + code
        if fresh:
            # Emptying the namespace and binding the device happen in the same
            # request, before the snippet (an input transformer in the kernel).
            source = prelude.prepare_line(framework, self.device) + source
        expressions = {FETCH_KEY: prelude.call("fetch", fetch)} if fetch else None
        result = await kernel.execute(
            source, timeout=timeout, on_output=on_output, user_expressions=expressions
        )
        if result.error is not None and result.error.name == "DeviceUnavailable":
            result.error = ErrorInfo(result.error.name, result.error.value)  # no traceback
        return result

    @staticmethod
    def fetched(result: ExecutionResult) -> Fetched | None:
        """The value asked for with ``run(..., fetch=name)``, if the run got that far."""
        if not result.ok or FETCH_KEY not in result.expressions:
            return None
        return _decode_fetch(result.expressions[FETCH_KEY], result.reason)

    async def fetch(self, framework: str, name: str) -> Fetched:
        """The value of ``name`` in ``framework``'s kernel, as NumPy data."""
        kernel = self.kernels.get(framework)
        if kernel is None:
            return Fetched(error="not run", message=f"no {framework} kernel")
        reply = await kernel.execute(
            "", timeout=60.0, user_expressions={"v": prelude.call("fetch", name)}, silent=True
        )
        return _decode_fetch(reply.expressions.get("v"), reply.reason)

    async def interrupt(self, framework: str) -> None:
        kernel = self.kernels.get(framework)
        if kernel is not None:
            await kernel.interrupt()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` for a synchronous caller (the CLI), kernels cleaned up.

    SIGTERM and SIGHUP are turned into KeyboardInterrupt like Ctrl-C, so the
    ``async with KernelPool`` blocks inside shut their kernels down; kernels
    that still survive are killed by the ``atexit`` hook of
    :mod:`fwcheat.kernels.jupyter`.
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            previous[sig] = signal.signal(sig, interrupt)
    try:
        return asyncio.run(coro)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        kill_leftover_kernels()
