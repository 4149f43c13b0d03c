"""The TUI's adapter to the kernel engine: the pool's callbacks in, the calls a screen needs out.

The engine (:class:`fwcheat.kernels.session.KernelPool`, shared with the CLI
and the REPL) owns each kernel's state and reports every change through one
callback; :class:`KernelBridge` hands that callback to the app (which posts it
as a :class:`~fwcheat.tui.messages.KernelStateChanged`) and forwards the
calls. It keeps no kernel state of its own. Its one job beyond forwarding is
to import the engine (numpy, jupyter_client) in a thread, on first use, so the
screen never stalls and the first frame pays nothing. No Textual here.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from fwcheat.frameworks import DEFAULT_PAIR, FRAMEWORK_LABELS, RUNNABLE_FRAMEWORKS

if TYPE_CHECKING:
    from fwcheat.kernels.base import ExecutionResult, OutputCallback
    from fwcheat.kernels.session import KernelPool

#: The panes shown before the user's pair is known, in table order.
SIDES = tuple(fw for fw in RUNNABLE_FRAMEWORKS if fw in DEFAULT_PAIR)
LABELS = FRAMEWORK_LABELS
#: The most output one run shows; the engine cuts the rest with a marker.
TUI_OUTPUT_CAP = 200_000

OFF, STARTING, IDLE, BUSY, DEAD, UNAVAILABLE = "off", "starting", "idle", "busy", "dead", "unavailable"


class KernelState(Protocol):
    """What the screen reads of a kernel's status (the engine's ``KernelStatus``)."""

    @property
    def framework(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def gpus(self) -> int: ...


@dataclass(frozen=True)
class NotStarted:
    """A framework's status before the engine is loaded: off."""

    framework: str
    state: str = OFF
    detail: str = ""
    version: str = ""
    gpus: int = 0


def _import_engine() -> Any:
    """Import the engine and what it imports lazily, off the event loop (hundreds of ms)."""
    for name in ("jupyter_client.manager", "jupyter_client.kernelspec", "fwcheat.compare"):
        importlib.import_module(name)
    return importlib.import_module("fwcheat.kernels.session")


class KernelBridge:
    """Holds the kernel pool for one TUI session; the pool reports states to ``notify``."""

    def __init__(self, notify: Callable[[KernelState], None], device: str = "cpu") -> None:
        self._notify = notify
        self.device = device
        self.pool: KernelPool | None = None
        self._loading: asyncio.Future[KernelPool] | None = None

    @property
    def states(self) -> Mapping[str, KernelState]:
        """Each framework's status as the engine reports it (all off before it is loaded)."""
        if self.pool is None:
            return {fw: NotStarted(fw) for fw in RUNNABLE_FRAMEWORKS}
        return self.pool.status

    def state(self, framework: str) -> str:
        status = self.states.get(framework)
        return str(status.state.value if hasattr(status.state, "value") else status.state) if status else OFF

    async def _get_pool(self) -> KernelPool:
        if self.pool is not None:
            return self.pool
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load())
        return await asyncio.shield(self._loading)

    async def _load(self) -> KernelPool:
        module = await asyncio.to_thread(_import_engine)
        self.pool = module.KernelPool(self.device, output_cap=TUI_OUTPUT_CAP, on_state=self._notify)
        return self.pool

    # -- forwarded to the engine ------------------------------------------------------
    async def start(self, *frameworks: str) -> None:
        """Start these frameworks' kernels (at the same time); states report the progress."""
        pool = await self._get_pool()
        await pool.start(*frameworks)

    async def shutdown(self) -> None:
        if self.pool is not None:
            await self.pool.shutdown()

    async def restart(self, framework: str) -> None:
        pool = await self._get_pool()
        await pool.restart(framework)

    async def interrupt(self, framework: str) -> None:
        if self.pool is not None:
            await self.pool.interrupt(framework)

    async def poll(self) -> None:
        """Let the engine notice a kernel that died while idle."""
        if self.pool is not None:
            await self.pool.poll()

    async def run(
        self,
        framework: str,
        code: str,
        *,
        setup: str = "",
        fresh: bool = True,
        on_output: OutputCallback | None = None,
        timeout: float | None = None,
        fetch: str | None = None,
    ) -> ExecutionResult:
        """Run code; ``fresh`` empties the namespace first; ``fetch``: a value back in the same request."""
        pool = await self._get_pool()
        return await pool.run(
            framework, code, setup=setup, fresh=fresh, timeout=timeout, on_output=on_output, fetch=fetch
        )

    # -- devices --------------------------------------------------------------------
    async def choose_device(self, text: str) -> str | None:
        """Switch to device ``text``; the reason it is refused, or None when done."""
        from fwcheat.devices import DeviceSpecError, host_gpu_count, parse_device, unavailable_reason

        try:
            wanted = parse_device(text)
        except DeviceSpecError as exc:
            return str(exc)
        if (reason := unavailable_reason(wanted, host_gpu_count())) is not None:
            return reason.removesuffix("; use --device cpu")  # no kernel needs to start to know that
        pool = await self._get_pool()
        choice = pool.set_device(wanted)
        if not choice.ok:
            return f"{wanted} is not available here: {choice.reason}"
        self.device = str(wanted)
        return None
