"""The TUI's view of the kernel engine: one state per framework, and the calls it needs.

:class:`KernelBridge` wraps :class:`fwcheat.kernels.session.KernelPool` (the
engine shared with the CLI) and adds what a screen has to show: whether each
kernel is starting, idle, busy or dead, its framework version, and a liveness
check so a kernel killed while idle is shown dead before the next run brings
it back. It reports every change through a callback (the app posts it as a
:class:`~fwcheat.tui.messages.KernelStateChanged`). All of it runs on the
app's asyncio loop; the engine's import (numpy, jupyter_client) is done in a
thread so the screen never stalls. No Textual here.
"""

from __future__ import annotations

import asyncio
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fwcheat.frameworks import BY_KEY, DEFAULT_PAIR, FRAMEWORK_LABELS

if TYPE_CHECKING:
    from fwcheat.compare import Verdict
    from fwcheat.kernels.base import ExecutionResult, OutputCallback
    from fwcheat.kernels.session import KernelPool
    from fwcheat.knowledge.model import Entry

#: Frameworks the TUI runs, in pane order, and how they are named on screen.
SIDES = (DEFAULT_PAIR[1], DEFAULT_PAIR[0])
LABELS = FRAMEWORK_LABELS
#: The most output one run shows; the engine cuts the rest with a marker.
TUI_OUTPUT_CAP = 200_000

OFF, STARTING, IDLE, BUSY, DEAD, UNAVAILABLE = "off", "starting", "idle", "busy", "dead", "unavailable"


@dataclass(frozen=True)
class KernelState:
    framework: str
    state: str = OFF
    #: Framework version the kernel reported (``2.13.0``), once started.
    version: str = ""
    #: Why it is dead or unavailable, or what the last restart did.
    detail: str = ""
    gpus: int = 0


def _pid_alive(pid: int) -> bool:
    """True while process ``pid`` exists and is not a zombie (Linux: /proc)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return True
    return fields[0] != "Z"


def _import_engine() -> Any:
    """Import the engine and what it imports lazily, off the event loop (hundreds of ms)."""
    for name in ("jupyter_client.manager", "jupyter_client.kernelspec", "fwcheat.compare"):
        importlib.import_module(name)
    return importlib.import_module("fwcheat.kernels.session")


def _version(framework: str, probe: dict[str, object]) -> str:
    row = BY_KEY.get(framework)
    value = probe.get(row.version_module) if row is not None else None
    return str(value) if value else ""


class KernelBridge:
    """Owns the kernel pool for one TUI session."""

    def __init__(self, notify: Callable[[KernelState], None], device: str = "cpu") -> None:
        self._notify = notify
        self.device = device
        self.pool: KernelPool | None = None
        self.states = {fw: KernelState(fw) for fw in SIDES}
        self._pool_ready = asyncio.Event()
        self._loading = False

    # -- state ------------------------------------------------------------------
    def _set(self, framework: str, **changes: object) -> None:
        state = replace(self.states[framework], **changes)  # type: ignore[arg-type]
        if state != self.states[framework]:
            self.states[framework] = state
            self._notify(state)

    async def _get_pool(self) -> KernelPool:
        if self.pool is None:
            if self._loading:
                await self._pool_ready.wait()
                assert self.pool is not None
                return self.pool
            self._loading = True
            module = await asyncio.to_thread(_import_engine)
            self.pool = module.KernelPool(self.device, output_cap=TUI_OUTPUT_CAP)
            self._pool_ready.set()
        return self.pool

    # -- life cycle -------------------------------------------------------------
    async def start(self, *frameworks: str) -> None:
        """Start the kernels (at the same time); states report the progress."""
        await asyncio.gather(*(self._ensure(fw) for fw in frameworks or SIDES))

    async def _ensure(self, framework: str) -> None:
        pool = await self._get_pool()
        if framework not in pool.info:
            self._set(framework, state=STARTING, detail="")
        info = await pool.ensure(framework)
        if info.error:
            self._set(framework, state=UNAVAILABLE, detail=info.error)
        elif self.states[framework].state in (OFF, STARTING):
            self._set(framework, state=IDLE, version=_version(framework, info.probe), gpus=info.gpus)

    async def shutdown(self) -> None:
        if self.pool is not None:
            await self.pool.shutdown()
        for fw in SIDES:
            self._set(fw, state=OFF)

    async def restart(self, framework: str) -> None:
        """Replace ``framework``'s interpreter with a fresh one."""
        pool = await self._get_pool()
        kernel = pool.kernels.get(framework)
        if kernel is None:
            pool.info.pop(framework, None)
            await self._ensure(framework)
            return
        self._set(framework, state=STARTING, detail="restarting")
        try:
            await kernel.restart()
        except Exception as exc:  # KernelError and whatever the launcher raises
            self._set(framework, state=DEAD, detail=f"restart failed: {exc}")
            return
        self._set(framework, state=IDLE, detail="restarted")

    async def interrupt(self, framework: str) -> None:
        if self.pool is not None:
            await self.pool.interrupt(framework)

    def check_alive(self) -> None:
        """Mark a kernel whose process is gone as dead (it comes back on the next run)."""
        if self.pool is None:
            return
        for fw, kernel in self.pool.kernels.items():
            if self.states[fw].state not in (IDLE, BUSY):
                continue
            pid = kernel.pid
            if pid is not None and not _pid_alive(pid):
                self._set(fw, state=DEAD, detail="the kernel process is gone; the next run starts a new one")

    # -- running ------------------------------------------------------------------
    async def run(
        self,
        framework: str,
        code: str,
        *,
        setup: str = "",
        fresh: bool = True,
        on_output: OutputCallback | None = None,
        timeout: float | None = None,
    ) -> ExecutionResult:
        """Run code; ``fresh`` empties the namespace first, else the last run's names are kept."""
        from fwcheat.kernels.base import Status

        pool = await self._get_pool()
        if framework not in pool.info:
            await self._ensure(framework)
        was = self.states[framework].state
        if was == UNAVAILABLE:
            result = await pool.run(framework, code, setup=setup, fresh=fresh, timeout=timeout)
            return result
        if was == DEAD:
            # The engine replaces a dead kernel before running on it; say so meanwhile.
            self._set(framework, state=STARTING, detail="starting a new kernel (the last one died)")
        self._set(framework, state=BUSY, detail="new kernel started" if was == DEAD else "")
        try:
            result = await pool.run(
                framework, code, setup=setup, fresh=fresh, timeout=timeout, on_output=on_output
            )
        except asyncio.CancelledError:
            self._set(framework, state=IDLE)
            raise
        if result.status is Status.DIED:
            self._set(framework, state=DEAD, detail=result.reason or "the kernel died")
        else:
            info = pool.info.get(framework)
            version = _version(framework, info.probe) if info else ""
            self._set(
                framework, state=IDLE, detail=result.reason, version=version or self.states[framework].version
            )
        return result

    async def verdict(self, entry: Entry) -> Verdict | None:
        """Compare the entry's ``compare`` variable across both kernels (None without one)."""
        if not entry.compare or self.pool is None:
            return None
        from fwcheat.compare import compare_entry, overall

        values = await asyncio.gather(*(self.pool.fetch(fw, entry.compare) for fw in SIDES))
        return overall(compare_entry(entry, dict(zip(SIDES, values, strict=True))))

    # -- devices --------------------------------------------------------------------
    async def choose_device(self, text: str) -> str | None:
        """Switch to device ``text``; the reason it is refused, or None when done."""
        from fwcheat.devices import DeviceSpecError, parse_device

        try:
            wanted = parse_device(text)
        except DeviceSpecError as exc:
            return str(exc)
        from fwcheat.hostgpu import missing_gpu_reason

        if (reason := missing_gpu_reason(wanted)) is not None:
            return reason  # no kernel needs to start to know that
        pool = await self._get_pool()
        if wanted.wants_gpu:
            await self.start()
            if all(self.states[fw].state == UNAVAILABLE for fw in SIDES):
                return f"{wanted} is not available here: no framework kernel is running"
        choice = pool.set_device(wanted)
        if not choice.ok:
            return f"{wanted} is not available here: {choice.reason} (no CUDA device or no CUDA build)"
        self.device = str(wanted)
        return None
