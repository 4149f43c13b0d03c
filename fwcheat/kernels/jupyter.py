"""Run code in a real Jupyter kernel through jupyter_client's async API.

One :class:`JupyterKernel` owns one kernel process. Faults in the code or the
kernel (exceptions, timeouts, crashes, floods of output) come back as an
:class:`~fwcheat.kernels.base.ExecutionResult`; they never escape as
exceptions, so a caller can run untrusted snippets in a loop.

Every kernel started here is recorded in a process-wide registry; an ``atexit``
hook kills the process group of any kernel that was not shut down cleanly.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import os
import queue
import shutil
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fwcheat.kernels.base import (
    OUTPUT_CAP,
    Completion,
    ErrorInfo,
    ExecutionResult,
    Kernel,
    KernelError,
    OutputCallback,
    OutputEvent,
    Status,
)

# jupyter_core warns on import unless told which directory layout to use.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

#: How long an interrupted run may take to stop before the kernel is restarted.
INTERRUPT_GRACE = 3.0
#: How often a silent kernel is checked for being alive (seconds).
POLL_INTERVAL = 0.2
CUT_MARKER = "\n[fwcheat: output cut here; more than {cap:,} characters]\n"

_live_groups: dict[int, int] = {}  # kernel pid -> process group id
_runtime_dirs: set[Path] = set()  # private dirs to remove at exit


def live_kernel_pids() -> list[int]:
    """Pids of the kernels this process started and has not shut down yet."""
    return list(_live_groups)


def kill_leftover_kernels() -> None:
    """Kill every kernel process group this process started and still has."""
    for pid, pgid in list(_live_groups.items()):
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
        _live_groups.pop(pid, None)
    for path in list(_runtime_dirs):
        remove_runtime_dir(path)


atexit.register(kill_leftover_kernels)


def private_runtime_dir() -> Path:
    """A fresh directory only this user can enter, for connection files.

    It is removed by :func:`remove_runtime_dir`, or at exit.
    """
    path = Path(tempfile.mkdtemp(prefix="fwcheat-kernels-"))  # mkdtemp makes it 0700
    _runtime_dirs.add(path)
    return path


def remove_runtime_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    _runtime_dirs.discard(path)


def describe_exit(returncode: int | None) -> str:
    """Why a kernel process ended, from its exit status: a phrase to follow "the kernel"."""
    if returncode is None:
        return "the kernel stopped answering"
    if returncode < 0:
        signum = -returncode
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        why = f"was killed by {name}"
        if signum == signal.SIGKILL:
            why += " (out of memory? the OOM killer sends SIGKILL)"
        elif signum == signal.SIGSEGV:
            why += " (segmentation fault)"
        elif signum == signal.SIGABRT:
            why += " (aborted)"
        return why
    return f"exited with status {returncode}"


class _Collector:
    """Gathers the output of one run, keeping at most ``cap`` characters."""

    def __init__(self, cap: int, on_output: OutputCallback | None, image_dir: Path | None) -> None:
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

                private_dir(str(self.image_dir))
                path = self.image_dir / f"{uuid.uuid4().hex[:12]}.{ext}"
                private_file(str(path))  # 0600 before a byte of the image is written
                path.write_bytes(base64.b64decode(data[mime]))
                self.add("image", str(path))
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


class JupyterKernel(Kernel):
    """One Jupyter kernel process, driven asynchronously.

    ``kernel_name`` picks an installed kernelspec; ``None`` runs this very
    interpreter's ipykernel (``sys.executable -m ipykernel_launcher``).
    ``startup_code`` runs after every (re)start, silently.
    """

    def __init__(
        self,
        name: str,
        kernel_name: str | None = None,
        *,
        startup_code: str = "",
        runtime_dir: Path | None = None,
        image_dir: Path | None = None,
        output_cap: int = OUTPUT_CAP,
        startup_timeout: float = 60.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.kernel_name = kernel_name
        self.startup_code = startup_code
        self.runtime_dir = runtime_dir
        self.image_dir = image_dir
        self.output_cap = output_cap
        self.startup_timeout = startup_timeout
        self.extra_env = env or {}
        self.startup_result: ExecutionResult | None = None
        self._km: Any = None
        self._kc: Any = None
        self._lock = asyncio.Lock()
        self._dead_reason: str | None = None
        self._interrupt_requested = False
        self._log_file: Any = None
        self._owns_runtime_dir = runtime_dir is None

    # -- life cycle ---------------------------------------------------------

    @property
    def pid(self) -> int | None:
        provisioner = getattr(self._km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return None if process is None else int(process.pid)

    @property
    def started(self) -> bool:
        return self._kc is not None

    async def start(self) -> None:
        from jupyter_client.kernelspec import KernelSpec, NoSuchKernel
        from jupyter_client.manager import AsyncKernelManager

        if self.runtime_dir is None:
            self.runtime_dir = private_runtime_dir()
        km = AsyncKernelManager(kernel_name=self.kernel_name or "python3")
        km.shutdown_wait_time = 2.0
        if self.kernel_name is None:
            km._kernel_spec = KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (fwcheat)",
                language="python",
                interrupt_mode="signal",
            )
        km.connection_file = str(self.runtime_dir / f"kernel-{uuid.uuid4().hex[:12]}.json")
        env = dict(os.environ)
        env.update({"JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
        env.update(self.extra_env)
        self._log_file = open(self.runtime_dir / f"{self.name}.log", "ab")  # noqa: SIM115
        try:
            await km.start_kernel(env=env, stdout=self._log_file, stderr=self._log_file)
        except NoSuchKernel as exc:
            raise KernelError(
                f"{self.name}: no Jupyter kernel named {self.kernel_name!r} (see `jupyter kernelspec list`)"
            ) from exc
        except Exception as exc:
            raise KernelError(f"{self.name}: the kernel did not start: {exc}") from exc
        self._km = km
        pid, pgid = self.pid, getattr(km.provisioner, "pgid", None)
        if pid is not None:
            _live_groups[pid] = pgid or pid
        kc = km.client()
        kc.start_channels()
        self._kc = kc
        try:
            await kc.wait_for_ready(timeout=self.startup_timeout)
        except (RuntimeError, TimeoutError) as exc:
            reason = await self._exit_reason()
            await self._teardown()
            raise KernelError(f"{self.name}: the kernel did not start (it {reason}): {exc}") from exc
        self._dead_reason = None
        if self.startup_code:
            self.startup_result = await self._run(
                self.startup_code, self.startup_timeout, None, None, silent=True
            )

    async def dead_reason(self) -> str | None:
        if self._km is None:
            return None
        if self._dead_reason is None and not await self._km.is_alive():
            self._dead_reason = await self._exit_reason()
        return self._dead_reason

    async def _exit_reason(self) -> str:
        provisioner = getattr(self._km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is None:
            return "is gone (its process ended)"
        return describe_exit(process.poll())

    async def _teardown(self, graceful: bool = False) -> None:
        km, kc, pid = self._km, self._kc, self.pid
        self._km = self._kc = None
        if kc is not None:
            with contextlib.suppress(Exception):
                kc.stop_channels()
        if km is not None:
            try:
                if graceful and await km.is_alive():
                    await km.shutdown_kernel(now=False)
                else:
                    await km.shutdown_kernel(now=True)
            except Exception:
                if pid is not None:
                    with contextlib.suppress(OSError):
                        os.killpg(_live_groups.get(pid, pid), signal.SIGKILL)
        if pid is not None:
            # Anything the kernel started in its session goes too.
            with contextlib.suppress(OSError):
                os.killpg(_live_groups.get(pid, pid), signal.SIGKILL)
            _live_groups.pop(pid, None)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    async def shutdown(self) -> None:
        await self._teardown(graceful=True)
        if self._owns_runtime_dir and self.runtime_dir is not None:
            remove_runtime_dir(self.runtime_dir)
            self.runtime_dir = None

    async def restart(self) -> None:
        await self._teardown()
        await self.start()

    async def interrupt(self) -> None:
        if self._km is not None:
            self._interrupt_requested = True
            await self._km.interrupt_kernel()

    # -- running code --------------------------------------------------------

    async def execute(
        self,
        code: str,
        timeout: float | None = None,
        on_output: OutputCallback | None = None,
        user_expressions: dict[str, str] | None = None,
        *,
        silent: bool = False,
    ) -> ExecutionResult:
        async with self._lock:
            note = ""
            if self._km is not None and self._dead_reason is None and not await self._km.is_alive():
                # It died while idle (killed, OOM): notice now rather than fail this run.
                self._dead_reason = await self._exit_reason()
            if self._kc is None or self._dead_reason is not None:
                if self._dead_reason is not None:
                    note = f"the previous kernel {self._dead_reason}; started a new one"
                try:
                    await self.restart()
                except KernelError as exc:
                    return ExecutionResult(Status.DIED, reason=str(exc))
            result = await self._run(code, timeout, on_output, user_expressions, silent=silent)
            if note and not result.reason:
                result.reason = note
            return result

    async def _run(
        self,
        code: str,
        timeout: float | None,
        on_output: OutputCallback | None,
        user_expressions: dict[str, str] | None,
        *,
        silent: bool = False,
    ) -> ExecutionResult:
        kc, km = self._kc, self._km
        collector = _Collector(self.output_cap, on_output, self.image_dir)
        self._interrupt_requested = False
        msg_id = kc.execute(
            code,
            silent=silent,
            store_history=not silent,
            user_expressions=user_expressions or {},
            allow_stdin=False,
        )
        started = time.perf_counter()
        deadline = None if timeout is None else started + timeout
        status: Status | None = None
        reason = ""
        while True:
            wait = POLL_INTERVAL
            if deadline is not None:
                wait = min(wait, deadline - time.perf_counter())
                if wait <= 0:
                    status, reason = await self._stop_overdue(msg_id, collector, timeout)
                    break
            try:
                msg = await kc.get_iopub_msg(timeout=wait)
            except queue.Empty:
                if not await km.is_alive():
                    self._dead_reason = await self._exit_reason()
                    status, reason = Status.DIED, f"the kernel {self._dead_reason}"
                    break
                continue
            if msg["parent_header"].get("msg_id") == msg_id and collector.handle(msg):
                break
        duration = time.perf_counter() - started
        expressions: dict[str, Any] = {}
        if status is None:
            reply = await self._reply(msg_id, timeout=10.0)
            content = reply.get("content", {}) if reply else {}
            expressions = dict(content.get("user_expressions", {}))
            if collector.error is None and content.get("status") == "error":
                collector.error = ErrorInfo(
                    str(content.get("ename", "")),
                    str(content.get("evalue", "")),
                    list(content.get("traceback", [])),
                )
            if collector.error is None:
                status = Status.OK
            elif collector.error.name == "KeyboardInterrupt" and self._interrupt_requested:
                status, reason = Status.INTERRUPTED, "interrupted"
            else:
                status = Status.ERROR
        return ExecutionResult(
            status=status,
            events=collector.events,
            error=collector.error,
            duration=duration,
            reason=reason,
            truncated=collector.truncated,
            expressions=expressions,
        )

    async def _stop_overdue(
        self, msg_id: str, collector: _Collector, timeout: float | None
    ) -> tuple[Status, str]:
        """Interrupt a run that passed its deadline; restart if that fails."""
        km, kc = self._km, self._kc
        with contextlib.suppress(Exception):
            await km.interrupt_kernel()
        deadline = time.perf_counter() + INTERRUPT_GRACE
        while (left := deadline - time.perf_counter()) > 0:
            try:
                msg = await kc.get_iopub_msg(timeout=min(left, POLL_INTERVAL))
            except queue.Empty:
                if not await km.is_alive():
                    break
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["header"]["msg_type"] == "error":
                continue  # the KeyboardInterrupt we caused
            if collector.handle(msg):
                await self._reply(msg_id, timeout=2.0)
                return Status.TIMED_OUT, f"timed out after {timeout:g} s; interrupted"
        try:
            await self.restart()
        except KernelError as exc:
            self._dead_reason = str(exc)
        return (
            Status.TIMED_OUT,
            f"timed out after {timeout:g} s; the interrupt did not stop it, kernel restarted",
        )

    async def _reply(self, msg_id: str, timeout: float) -> dict[str, Any] | None:
        deadline = time.perf_counter() + timeout
        while (left := deadline - time.perf_counter()) > 0:
            try:
                reply: dict[str, Any] = await self._kc.get_shell_msg(timeout=left)
            except queue.Empty:
                return None
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply
        return None

    async def _request(self, msg_id: str) -> dict[str, Any]:
        reply = await self._reply(msg_id, timeout=10.0)
        if reply is None:
            raise KernelError(f"{self.name}: no reply from the kernel")
        return dict(reply["content"])

    async def complete(self, code: str, cursor_pos: int | None = None) -> Completion:
        async with self._lock:
            if self._kc is None:
                await self.restart()
            content = await self._request(self._kc.complete(code, cursor_pos))
        pos = len(code) if cursor_pos is None else cursor_pos
        return Completion(
            list(content.get("matches", [])),
            int(content.get("cursor_start", pos)),
            int(content.get("cursor_end", pos)),
        )

    async def is_complete(self, code: str) -> str:
        async with self._lock:
            if self._kc is None:
                await self.restart()
            content = await self._request(self._kc.is_complete(code))
        return str(content.get("status", "unknown"))
