"""The engine every front end drives: one kernel per framework, and their states.

A :class:`KernelPool` starts each framework's kernel when it is first needed
(several at once), gives every snippet a fresh namespace with the framework's
device variable bound to the chosen device, and fetches values back as NumPy
data for comparison, inside the same request as the run. It owns each
kernel's state (:class:`KernelState`: off, starting, idle, busy, dead,
unavailable) and reports every change through one callback, so a front end
only renders. It never renders anything itself.

- :meth:`KernelPool.run_entry` runs an entry's snippets side by side and
  returns each framework's result and its verdict against the reference.
- :meth:`KernelPool.restart`, :meth:`KernelPool.set_device` (checked, with
  the reason when refused), :meth:`KernelPool.interrupt`,
  :meth:`KernelPool.poll` (notices a kernel that died while idle).
- Kernels come from a factory (:data:`KernelFactory`), a real Jupyter kernel
  by default; tests pass a fake one.

Use it as ``async with KernelPool(...) as pool:`` so the kernels are shut down
however the block ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import signal
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from fwcheat import frameworks
from fwcheat.compare import compare_entry
from fwcheat.devices import DeviceRequest, DeviceSpecError, parse_device
from fwcheat.kernels import prelude
from fwcheat.kernels.base import (
    OUTPUT_CAP,
    ErrorInfo,
    ExecutionResult,
    Fetched,
    Kernel,
    KernelError,
    OutputCallback,
    OutputEvent,
    Status,
)
from fwcheat.kernels.config import KernelConfig, load_kernel_config
from fwcheat.kernels.jupyter import kill_leftover_kernels, private_runtime_dir, remove_runtime_dir
from fwcheat.knowledge.model import Entry
from fwcheat.run import EntryRun

if TYPE_CHECKING:
    from fwcheat.kernels.warm import WarmSlot

#: Default time one snippet may run (seconds).
DEFAULT_TIMEOUT = 60.0
#: Time a kernel may take to start and import its framework.
STARTUP_TIMEOUT = 120.0

T = TypeVar("T")


class KernelState(str, enum.Enum):
    """Where a framework's kernel is in its life."""

    OFF = "off"
    STARTING = "starting"
    IDLE = "idle"
    BUSY = "busy"
    DEAD = "dead"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class KernelStatus:
    """One framework's kernel as a front end shows it."""

    framework: str
    state: KernelState = KernelState.OFF
    #: Why it is dead or unavailable, or what the last restart or run did.
    detail: str = ""
    #: Framework version the kernel reported (``2.13.0``), once started.
    version: str = ""
    gpus: int = 0
    pid: int | None = None


#: Receives every change of a kernel's status.
StateCallback = Callable[[KernelStatus], None]
#: Receives each framework's output as it arrives: (framework, event).
EntryOutputCallback = Callable[[str, OutputEvent], None]


class KernelFactory(Protocol):
    """Makes the (not yet started) kernel for a framework."""

    def __call__(
        self,
        framework: str,
        kernel_name: str | None,
        *,
        startup_code: str,
        runtime_dir: Path,
        image_dir: Path,
        output_cap: int,
        startup_timeout: float,
        env: dict[str, str],
        warm: WarmSlot | None = None,
    ) -> Kernel: ...


def jupyter_kernel(
    framework: str,
    kernel_name: str | None,
    *,
    startup_code: str,
    runtime_dir: Path,
    image_dir: Path,
    output_cap: int,
    startup_timeout: float,
    env: dict[str, str],
    warm: WarmSlot | None = None,
) -> Kernel:
    """The default factory: a real Jupyter kernel (this interpreter's, or a kernelspec)."""
    from fwcheat.kernels.jupyter import JupyterKernel

    return JupyterKernel(
        framework,
        kernel_name,
        startup_code=startup_code,
        runtime_dir=runtime_dir,
        image_dir=image_dir,
        output_cap=output_cap,
        startup_timeout=startup_timeout,
        env=env,
        warm=warm,
    )


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

    @property
    def version(self) -> str:
        row = frameworks.BY_KEY.get(self.framework)
        value = self.probe.get(row.version_module) if row is not None else None
        return str(value) if value else ""


@dataclass(frozen=True)
class DeviceChoice:
    """The answer to :meth:`KernelPool.set_device`."""

    ok: bool
    device: DeviceRequest
    #: Why the device was refused ('' when it was taken).
    reason: str = ""


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


def _not_reset(result: ExecutionResult) -> bool:
    """Whether the kernel refused the run as it could not be reset (in_kernel.prepare_transformer)."""
    error = result.error
    return (
        error is not None
        and error.name == "DeviceUnavailable"
        and error.value.startswith(prelude.PREPARE_FAILED)
    )


def _failure(name: str, message: str, status: Status = Status.ERROR) -> ExecutionResult:
    return ExecutionResult(status, error=ErrorInfo(name, message), reason=message)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class KernelPool:
    """The kernels fwcheat runs snippets in, one per framework, and their states."""

    def __init__(
        self,
        device: DeviceRequest | str = "cpu",
        *,
        config: KernelConfig | None = None,
        output_cap: int = OUTPUT_CAP,
        image_dir: Path | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
        factory: KernelFactory = jupyter_kernel,
        on_state: StateCallback | None = None,
        warm: bool | None = False,
    ) -> None:
        self.device = parse_device(device) if isinstance(device, str) else device
        self.config = config if config is not None else load_kernel_config()
        self.output_cap = output_cap
        self.runtime_dir: Path | None = None  # created when the first kernel starts
        self.image_dir = image_dir or default_image_dir()
        self.startup_timeout = startup_timeout
        self.factory = factory
        self.on_state = on_state
        self.kernels: dict[str, Kernel] = {}
        self.info: dict[str, KernelInfo] = {}
        self.status: dict[str, KernelStatus] = {fw: KernelStatus(fw) for fw in frameworks.RUNNABLE_FRAMEWORKS}
        self._starting: dict[str, asyncio.Task[KernelInfo]] = {}
        #: Keep kernels running after this pool, for the next command (see kernels.warm);
        #: None: as the config file says (``[kernels] warm``, on by default).
        self.warm = self.config.warm if warm is None else warm
        #: framework -> a note for its next run (a warm kernel replaced...).
        self._notes: dict[str, str] = {}

    async def __aenter__(self) -> KernelPool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()

    # -- states ------------------------------------------------------------------

    def state(self, framework: str) -> KernelState:
        return self.status[framework].state if framework in self.status else KernelState.UNAVAILABLE

    def _set(self, framework: str, **changes: Any) -> None:
        old = self.status.get(framework, KernelStatus(framework))
        new = replace(old, **changes)
        if new != old:
            self.status[framework] = new
            if self.on_state is not None:
                self.on_state(new)

    # -- kernels -----------------------------------------------------------------

    async def start(self, *frameworks_: str) -> dict[str, KernelInfo]:
        """Start the kernels for ``frameworks_`` at the same time."""
        infos = await asyncio.gather(*(self.ensure(fw) for fw in frameworks_))
        return dict(zip(frameworks_, infos, strict=True))

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
        row = frameworks.BY_KEY.get(framework)
        spec = self.config.kernel_for(framework)
        info = KernelInfo(framework, spec or "this interpreter")
        if row is None or not row.runnable:
            info.error = (
                f"fwcheat cannot run {framework!r} (it runs {', '.join(frameworks.RUNNABLE_FRAMEWORKS)})"
            )
            self.info[framework] = info
            self._set(framework, state=KernelState.UNAVAILABLE, detail=info.error)
            return info
        self._set(framework, state=KernelState.STARTING, detail="")
        if self.runtime_dir is None:
            self.runtime_dir = private_runtime_dir()
        options: dict[str, Any] = {}
        if self.warm:
            from fwcheat.kernels.warm import WarmSlot, runtime_root, signature

            try:
                root = runtime_root()
            except OSError as exc:  # no private folder for the records: private kernels
                self.warm = False
                self._notes[framework] = f"kernels are private this time (no runtime folder: {exc})"
        if self.warm:
            options["warm"] = WarmSlot(
                root,
                framework,
                signature(
                    framework,
                    spec,
                    dict(row.kernel_env),
                    output_cap=self.output_cap,
                    idle_timeout=self.config.idle_timeout,
                ),
                self.config.idle_timeout,
            )
        kernel = self.factory(
            framework,
            spec,
            startup_code=prelude.startup_code(framework, self.output_cap),
            runtime_dir=self.runtime_dir,
            image_dir=self.image_dir,
            output_cap=self.output_cap,
            startup_timeout=self.startup_timeout,
            env=dict(row.kernel_env),
            **options,
        )
        try:
            await kernel.start()
        except KernelError as exc:
            info.error = str(exc)
            self.info[framework] = info
            self._set(framework, state=KernelState.UNAVAILABLE, detail=info.error)
            return info
        note = str(getattr(kernel, "note", "") or "")
        if note:
            self._notes[framework] = note
        self.kernels[framework] = kernel
        await self._probe(kernel, info)
        self.info[framework] = info
        if info.error:
            self._set(framework, state=KernelState.UNAVAILABLE, detail=info.error, pid=info.pid)
        else:
            self._set(
                framework,
                state=KernelState.IDLE,
                version=info.version,
                gpus=info.gpus,
                pid=info.pid,
            )
        return info

    async def _probe(self, kernel: Kernel, info: KernelInfo) -> None:
        """Ask a started kernel whether its framework imported, and what it sees."""
        info.pid = kernel.pid
        # A warm kernel reused from an earlier command answered this already (it cannot change).
        cached = getattr(kernel, "cached_probe", None)
        if isinstance(cached, dict) and "startup" in cached and "probe" in cached:
            started, info.probe = dict(cached["startup"]), dict(cached["probe"])
        else:
            reply = await kernel.execute(
                "",
                timeout=self.startup_timeout,
                user_expressions={
                    "startup": prelude.startup_expression(),
                    "probe": prelude.call("probe", info.framework),
                },
                silent=True,
            )
            started = prelude.decode_expression(reply.expressions.get("startup"))
            info.probe = prelude.decode_expression(reply.expressions.get("probe"))
            remember = getattr(kernel, "remember_probe", None)
            if callable(remember) and "error" not in started and "error" not in info.probe:
                remember({"startup": started, "probe": info.probe})
        info.error = ""
        if "error" in started:
            row = frameworks.get(info.framework)
            info.error = (
                f"{info.framework} cannot be imported in {info.kernel}: {started['error']}; "
                f"install it with: {row.install_hint}"
            )

    async def restart(self, framework: str, why: str = "restarted") -> KernelInfo:
        """Replace ``framework``'s interpreter with a fresh one (started if it never was)."""
        kernel = self.kernels.get(framework)
        if kernel is None:
            self.info.pop(framework, None)
            return await self.ensure(framework)
        info = self.info.setdefault(framework, KernelInfo(framework, "this interpreter"))
        self._set(framework, state=KernelState.STARTING, detail=why)
        try:
            await kernel.restart()
        except Exception as exc:  # KernelError and whatever the launcher raises
            self._set(framework, state=KernelState.DEAD, detail=f"restart failed: {exc}", pid=None)
            return info
        await self._probe(kernel, info)
        if info.error:
            self._set(framework, state=KernelState.UNAVAILABLE, detail=info.error, pid=info.pid)
        else:
            self._set(framework, state=KernelState.IDLE, detail=why, gpus=info.gpus, pid=info.pid)
        return info

    async def poll(self) -> None:
        """Mark a kernel that died while idle as dead (the next run replaces it)."""
        for framework, kernel in list(self.kernels.items()):
            if self.state(framework) is not KernelState.IDLE:
                continue
            reason = await kernel.dead_reason()
            if reason:
                self._set(framework, state=KernelState.DEAD, detail=f"the kernel {reason}", pid=None)

    async def shutdown(self) -> None:
        """Stop every kernel (concurrently); safe to call twice."""
        for task in self._starting.values():
            task.cancel()
        kernels, self.kernels = list(self.kernels.items()), {}
        self.info.clear()
        await asyncio.gather(*(k.shutdown() for _, k in kernels), return_exceptions=True)
        for framework in list(self.status):
            self._set(framework, state=KernelState.OFF, detail="", pid=None)
        if self.runtime_dir is not None:
            remove_runtime_dir(self.runtime_dir)
            self.runtime_dir = None

    def pids(self) -> list[int]:
        return [pid for k in self.kernels.values() if (pid := k.pid) is not None]

    # -- devices -------------------------------------------------------------------

    def set_device(self, device: DeviceRequest | str) -> DeviceChoice:
        """Use ``device`` from the next run on, unless a running kernel cannot see it.

        A kernel not started yet is asked when it runs (its snippet is then
        replaced by a ``DeviceUnavailable`` error naming what it has).
        """
        try:
            request = parse_device(device) if isinstance(device, str) else device
        except DeviceSpecError as exc:
            return DeviceChoice(False, self.device, str(exc))
        if request.kind == "gpu":
            refusals = []
            for row in frameworks.TABLE:
                info = self.info.get(row.key)
                if info is None or info.error or info.gpus > request.index:
                    continue
                available = [row.device_name("cpu")] + [row.device_name("gpu", i) for i in range(info.gpus)]
                refusals.append(
                    f"{row.device_name('gpu', request.index)} asked for, but {row.label} sees "
                    f"{_plural(info.gpus, 'GPU')} (available: {', '.join(available)})"
                )
            if refusals:
                return DeviceChoice(False, self.device, "; ".join(refusals))
        self.device = request
        return DeviceChoice(True, request)

    # -- running -------------------------------------------------------------------

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

        With ``fresh`` the namespace is emptied first and the device variable
        bound again. Problems (no such framework, device not there, kernel
        died) come back as the result's status and error. ``fetch`` names a
        variable to bring back in the same request (see :meth:`fetched`). A
        kernel found dead is replaced first; the result's ``reason`` says so.
        """
        info = await self.ensure(framework)
        if info.error:
            return _failure("KernelUnavailable", info.error, Status.DIED)
        note = ""
        if self.state(framework) is KernelState.DEAD and await self.kernels[framework].dead_reason() is None:
            # Replaced behind the pool's back (a front end restarted it itself).
            self._set(framework, state=KernelState.IDLE, detail="", pid=self.kernels[framework].pid)
        if self.state(framework) is KernelState.DEAD:
            note = f"{self.status[framework].detail or 'the kernel died'}; started a new one"
            info = await self.restart(framework, "starting a new kernel (the last one died)")
            if self.state(framework) is not KernelState.IDLE:
                return _failure("KernelUnavailable", self.status[framework].detail, Status.DIED)
        kernel = self.kernels[framework]
        source = code if not setup else setup.rstrip("\n") + "\n" + code
        if fresh:
            # Emptying the namespace and binding the device happen in the same
            # request, before the snippet (an input transformer in the kernel).
            source = prelude.prepare_line(framework, self.device) + source
        expressions = {FETCH_KEY: prelude.call("fetch", fetch)} if fetch else None
        self._set(framework, state=KernelState.BUSY, detail="")
        try:
            result = await kernel.execute(
                source, timeout=timeout, on_output=on_output, user_expressions=expressions
            )
            if fresh and _not_reset(result):
                # An earlier snippet left the kernel in a state it cannot be reset from (the
                # snippet did not run): a new kernel, and the snippet once more.
                why = result.error.value if result.error is not None else ""
                await self.restart(framework, "starting a new kernel (the last one could not be reset)")
                if self.state(framework) is not KernelState.IDLE:
                    return _failure("KernelUnavailable", self.status[framework].detail, Status.DIED)
                kernel = self.kernels[framework]
                self._set(framework, state=KernelState.BUSY, detail="")
                result = await kernel.execute(
                    source, timeout=timeout, on_output=on_output, user_expressions=expressions
                )
                note = note or f"the kernel could not be reset ({why}); started a new one"
        except asyncio.CancelledError:
            self._set(framework, state=KernelState.IDLE)
            raise
        if result.error is not None and result.error.name == "DeviceUnavailable":
            result.error = ErrorInfo(result.error.name, result.error.value)  # no traceback
        elif result.error is not None:
            from fwcheat.tracebacks import setup_line_count, tidy, tidy_message

            # Line numbers of the code shown (not counting the setup), library frames folded.
            hidden = setup_line_count(setup)
            result.error = ErrorInfo(
                result.error.name,
                tidy_message(result.error.value, hidden),
                tidy(result.error.traceback, hidden),
            )
        note = note or self._notes.pop(framework, "")
        if note and not result.reason:
            result.reason = note
        if result.status is Status.DIED:
            self._set(framework, state=KernelState.DEAD, detail=result.reason or "the kernel died", pid=None)
        else:
            self._set(framework, state=KernelState.IDLE, detail=result.reason, pid=kernel.pid)
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

    async def run_snippet(
        self,
        entry: Entry,
        framework: str,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        on_output: OutputCallback | None = None,
        fetch: bool = True,
    ) -> tuple[ExecutionResult, Fetched | None]:
        """Run one of ``entry``'s snippets fresh; its ``compare`` value comes back in the same request.

        ``fetch=False`` leaves the value in the kernel (nothing to compare it with).
        """
        snippet = entry.snippets.get(framework)
        if snippet is None:
            message = f"{entry.id} has no {framework} snippet"
            return _failure("NoSnippet", message), None
        result = await self.run(
            framework,
            snippet.code,
            setup=snippet.setup,
            timeout=timeout,
            on_output=on_output,
            fetch=entry.compare if fetch else None,
        )
        return result, self.fetched(result)

    async def run_entry(
        self,
        entry: Entry,
        frameworks_: Sequence[str] | None = None,
        on_output: EntryOutputCallback | None = None,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> EntryRun:
        """Run ``entry``'s snippets (``frameworks_``, default: every runnable one it has) at once.

        Each framework's ``compare`` value is fetched inside its run request;
        the verdicts compare each with the reference framework's.
        """
        chosen = list(frameworks_) if frameworks_ is not None else runnable(entry)

        def callback(framework: str) -> OutputCallback | None:
            if on_output is None:
                return None
            return lambda event: on_output(framework, event)

        compare = len(chosen) > 1  # one framework alone has nothing to be compared with
        done = await asyncio.gather(
            *(
                self.run_snippet(entry, fw, timeout=timeout, on_output=callback(fw), fetch=compare)
                for fw in chosen
            )
        )
        results = {fw: r for fw, (r, _) in zip(chosen, done, strict=True)}
        fetched = {fw: f for fw, (_, f) in zip(chosen, done, strict=True)}
        return EntryRun(results, compare_entry(entry, fetched))

    async def interrupt(self, framework: str) -> None:
        kernel = self.kernels.get(framework)
        if kernel is not None:
            await kernel.interrupt()


def runnable(entry: Entry) -> list[str]:
    """The frameworks of ``entry`` fwcheat can run, in table order."""
    return [fw for fw in frameworks.RUNNABLE_FRAMEWORKS if entry.snippets.get(fw) is not None]


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
