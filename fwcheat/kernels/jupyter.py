"""Run code in a real Jupyter kernel, asynchronously.

One :class:`JupyterKernel` owns one kernel process: it launches it (its own
process group; jupyter_client writes the connection file and finds a
kernelspec) and talks to it through :class:`~fwcheat.kernels.wire.WireClient`.
With a :class:`~fwcheat.kernels.warm.WarmSlot` it reconnects to a kernel an
earlier command left running, and leaves it running. Faults in the code or the
kernel (exceptions, timeouts, crashes, floods of output) come back as an
:class:`~fwcheat.kernels.base.ExecutionResult`; they never escape as
exceptions, so a caller can run untrusted snippets in a loop.

Every private kernel started here is recorded in a process-wide registry; an
``atexit`` hook kills the process group of any that was not shut down cleanly
(a private kernel also exits by itself once this process is gone).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import zmq

from fwcheat.kernels.base import (
    OUTPUT_CAP,
    Collector,
    Completion,
    ErrorInfo,
    ExecutionResult,
    Kernel,
    KernelError,
    OutputCallback,
    Status,
)
from fwcheat.kernels.procs import process_alive, process_start_ticks
from fwcheat.kernels.wire import WireClient, WireError, read_connection_file

if TYPE_CHECKING:
    from fwcheat.kernels.warm import WarmRecord, WarmSlot

# jupyter_core warns on import unless told which directory layout to use.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

#: How long an interrupted run may take to stop before the kernel is restarted.
INTERRUPT_GRACE = 3.0
#: How long a warm kernel left by an earlier command may take to answer before it is replaced.
RECONNECT_TIMEOUT = 5.0
#: How long a kernel asked to shut down may take before it is killed. A kernel holds nothing
#: worth a long wait (TensorFlow's takes about a second to exit, every command would pay it).
SHUTDOWN_WAIT = 0.25
#: How often a silent kernel is checked for being alive (seconds).
POLL_INTERVAL = 0.2

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


class JupyterKernel(Kernel):
    """One Jupyter kernel process, driven asynchronously.

    ``kernel_name`` picks an installed kernelspec; ``None`` runs this very
    interpreter's ipykernel (``sys.executable -m ipykernel_launcher``).
    ``startup_code`` runs after every (re)start, silently.

    With ``warm`` (a :class:`~fwcheat.kernels.warm.WarmSlot`) the kernel
    outlives this process: ``start`` reconnects to the slot's kernel when it
    still matches, and ``shutdown`` only disconnects (see
    :mod:`fwcheat.kernels.warm`). Otherwise the kernel is private: it is
    stopped by ``shutdown`` and exits by itself if this process dies.
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
        warm: WarmSlot | None = None,
    ) -> None:
        self.name = name
        self.kernel_name = kernel_name
        self.startup_code = startup_code
        self.runtime_dir = runtime_dir if warm is None else Path(warm.root)
        self.image_dir = image_dir
        self.output_cap = output_cap
        self.startup_timeout = startup_timeout
        self.extra_env = env or {}
        self.warm = warm
        self.startup_result: ExecutionResult | None = None
        #: How the kernel was obtained, for a note to the user ('' when unremarkable).
        self.note = ""
        #: True when ``start`` reconnected to a kernel left warm by an earlier command.
        self.reused = False
        self._kc: WireClient | None = None
        self._process: subprocess.Popen[bytes] | None = None  # None for a kernel we reconnected to
        self._pid: int | None = None
        self._pgid: int | None = None
        self._ticks: int | None = None
        self._interrupt_mode = "signal"
        self._connection_file: Path | None = None
        self._lock = asyncio.Lock()
        self._dead_reason: str | None = None
        self._interrupt_requested = False
        self._busy = False
        self._log_file: Any = None
        self._owns_runtime_dir = runtime_dir is None and warm is None

    # -- life cycle ---------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._pid

    @property
    def started(self) -> bool:
        return self._kc is not None

    def _alive(self) -> bool:
        if self._process is not None:
            return self._process.poll() is None
        return self._pid is not None and process_alive(self._pid, self._ticks)

    async def start(self) -> None:
        self.reused = False
        if self.warm is not None:
            try:
                record = self.warm.claim()
            except OSError as exc:  # every slot in use, or the runtime folder unusable
                self.note = f"a private {self.name} kernel ({exc})"
                self.warm, self.runtime_dir, self._owns_runtime_dir = None, None, True
            else:
                if record is not None and await self._reconnect(record):
                    return
        await self._launch()
        if self.warm is not None:
            assert self._pid is not None and self._connection_file is not None
            try:
                self.warm.save(self._pid, self._pgid or self._pid, self._ticks, self._connection_file)
            except OSError as exc:  # the record cannot be written: keep it private, stopped at the end
                self.note = f"a private {self.name} kernel (the warm record cannot be written: {exc})"
                self.warm.unlock()
                self.warm = None
        self._dead_reason = None
        if self.startup_code:
            self.startup_result = await self._run(
                self.startup_code, self.startup_timeout, None, None, silent=True
            )

    async def _reconnect(self, record: WarmRecord) -> bool:
        """Use the warm kernel ``record`` describes, if it still fits and answers."""
        assert self.warm is not None
        why = self.warm.unusable(record)
        if not why:
            try:
                client = WireClient(read_connection_file(record.connection_file))
            except (WireError, zmq.ZMQError) as exc:
                why = f"its connection file cannot be used ({exc})"
            else:
                try:
                    await client.wait_for_ready(
                        timeout=RECONNECT_TIMEOUT,
                        alive=lambda: process_alive(record.pid, record.ticks),
                    )
                except (RuntimeError, TimeoutError):
                    client.close()
                    why = "it did not answer"
                else:
                    self._kc, self._process = client, None
                    self._pid, self._pgid, self._ticks = record.pid, record.pgid, record.ticks
                    self._connection_file = Path(record.connection_file)
                    self._dead_reason = None
                    self.reused = True
                    self.note = ""
                    return True
        self.warm.discard(record)
        self.note = f"replaced the warm {self.name} kernel ({why})"
        return False

    async def _launch(self) -> None:
        from jupyter_client.connect import write_connection_file

        if self.runtime_dir is None:
            self.runtime_dir = private_runtime_dir()
        argv, spec_env, self._interrupt_mode = self._kernel_command()
        stem = f"kernel-{self.name}-{uuid.uuid4().hex[:12]}"
        connection_file = self.runtime_dir / f"{stem}.json"
        write_connection_file(
            str(connection_file), ip="127.0.0.1", key=uuid.uuid4().hex.encode("ascii"), transport="tcp"
        )
        self._connection_file = connection_file
        env = dict(os.environ)
        env.pop("JPY_PARENT_PID", None)
        env.update(spec_env)
        env.update({"JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
        env.update(self.extra_env)
        if self.warm is None:
            # ipykernel exits when this process is gone: a private kernel never outlives fwcheat.
            env["JPY_PARENT_PID"] = str(os.getpid())
        else:
            env.update(self.warm.kernel_env())
        log_name = f"{stem}.log" if self.warm is not None else f"{self.name}.log"
        log_fd = os.open(self.runtime_dir / log_name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._log_file = os.fdopen(log_fd, "ab")
        command = [part.replace("{connection_file}", str(connection_file)) for part in argv]
        try:
            process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self._log_file,
                stderr=self._log_file,
                start_new_session=True,  # its own process group: interrupts and kills reach all of it
                cwd=os.getcwd(),
            )
        except OSError as exc:
            self._close_log()
            raise KernelError(f"{self.name}: the kernel did not start: {exc}") from exc
        self._process, self._pid, self._pgid = process, process.pid, process.pid
        self._ticks = process_start_ticks(process.pid)
        _live_groups[process.pid] = process.pid
        client = WireClient(read_connection_file(str(connection_file)))
        self._kc = client
        try:
            await client.wait_for_ready(timeout=self.startup_timeout, alive=self._alive)
        except (RuntimeError, TimeoutError) as exc:
            reason = await self._exit_reason()
            await self._teardown()
            raise KernelError(f"{self.name}: the kernel did not start (it {reason}): {exc}") from exc

    def _kernel_command(self) -> tuple[list[str], dict[str, str], str]:
        """The kernel's argv (with ``{connection_file}``), its spec's env and interrupt mode."""
        if self.kernel_name is None:
            argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
            return argv, {}, "signal"
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        try:
            spec = KernelSpecManager().get_kernel_spec(self.kernel_name)
        except NoSuchKernel as exc:
            raise KernelError(
                f"{self.name}: no Jupyter kernel named {self.kernel_name!r} (see `jupyter kernelspec list`)"
            ) from exc
        return list(spec.argv), dict(spec.env or {}), str(spec.interrupt_mode or "signal")

    @property
    def cached_probe(self) -> dict[str, Any] | None:
        """What a reused warm kernel answered to the pool's probe when it was new."""
        if not self.reused or self.warm is None:
            return None
        return self.warm.probe()

    def remember_probe(self, answer: dict[str, Any]) -> None:
        if self.warm is not None:
            self.warm.save_probe(answer)

    async def dead_reason(self) -> str | None:
        if self._pid is None:
            return None
        if self._dead_reason is None and not self._alive():
            self._dead_reason = await self._exit_reason()
        return self._dead_reason

    async def _exit_reason(self) -> str:
        if self._process is None:
            return "is gone (its process ended)"
        return describe_exit(self._process.poll())

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    async def _teardown(self, graceful: bool = False) -> None:
        """Stop the kernel process (gracefully first if asked) and everything in its group."""
        kc, pid, pgid, process = self._kc, self._pid, self._pgid, self._process
        self._kc = self._process = None
        self._pid = self._pgid = self._ticks = None
        if graceful and kc is not None and pid is not None and self._alive_pid(pid, process):
            with contextlib.suppress(Exception):
                kc.shutdown()
                deadline = time.monotonic() + SHUTDOWN_WAIT
                while time.monotonic() < deadline and self._alive_pid(pid, process):
                    await asyncio.sleep(0.02)
        if kc is not None:
            with contextlib.suppress(Exception):
                kc.close()
        if pid is not None:
            # Anything the kernel started in its session goes too.
            with contextlib.suppress(OSError):
                os.killpg(pgid or pid, signal.SIGKILL)
            _live_groups.pop(pid, None)
            if process is not None:
                with contextlib.suppress(Exception):
                    process.wait(timeout=2.0)
        if self._connection_file is not None and self.warm is None:
            self._connection_file.unlink(missing_ok=True)
        self._close_log()

    @staticmethod
    def _alive_pid(pid: int, process: subprocess.Popen[bytes] | None) -> bool:
        return process.poll() is None if process is not None else process_alive(pid, None)

    async def shutdown(self) -> None:
        """Stop the kernel; a healthy warm kernel is only disconnected from, for the next command."""
        if self.warm is not None:
            if self._kc is not None and not self._busy and self._dead_reason is None and self._alive():
                self._detach()
                return
            await self._teardown(graceful=True)
            self.warm.forget()
            return
        await self._teardown(graceful=True)
        if self._owns_runtime_dir and self.runtime_dir is not None:
            remove_runtime_dir(self.runtime_dir)
            self.runtime_dir = None

    def _detach(self) -> None:
        """Leave a warm kernel running for the next command: close the sockets, free the slot."""
        assert self.warm is not None
        if self._kc is not None:
            self._kc.close()
        if self._pid is not None:
            _live_groups.pop(self._pid, None)
        self._kc = None
        self._process = None  # not waited for: it outlives this process
        self._pid = self._pgid = self._ticks = None
        self._close_log()
        self.warm.release()

    async def restart(self) -> None:
        await self._teardown()
        if self.warm is not None:
            self.warm.discard_current()
        await self.start()

    async def interrupt(self) -> None:
        if self._pid is None:
            return
        self._interrupt_requested = True
        if self._interrupt_mode == "message" and self._kc is not None:
            self._kc.interrupt()
            return
        with contextlib.suppress(OSError):
            os.killpg(self._pgid or self._pid, signal.SIGINT)

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
            if self._pid is not None and self._dead_reason is None and not self._alive():
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
        kc = self._kc
        assert kc is not None
        collector = Collector(self.output_cap, on_output, self.image_dir)
        self._interrupt_requested = False
        # Left True when the run is abandoned midway (cancelled): such a kernel may still be
        # running the code, so it is stopped rather than left warm for the next command.
        self._busy = True
        result = await self._run_request(kc, collector, code, timeout, user_expressions, silent)
        self._busy = False
        return result

    async def _run_request(
        self,
        kc: WireClient,
        collector: Collector,
        code: str,
        timeout: float | None,
        user_expressions: dict[str, str] | None,
        silent: bool,
    ) -> ExecutionResult:
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
                if not self._alive():
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
        self, msg_id: str, collector: Collector, timeout: float | None
    ) -> tuple[Status, str]:
        """Interrupt a run that passed its deadline; restart if that fails."""
        kc = self._kc
        assert kc is not None
        with contextlib.suppress(Exception):
            await self.interrupt()
        deadline = time.perf_counter() + INTERRUPT_GRACE
        while (left := deadline - time.perf_counter()) > 0:
            try:
                msg = await kc.get_iopub_msg(timeout=min(left, POLL_INTERVAL))
            except queue.Empty:
                if not self._alive():
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
                assert self._kc is not None
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
            assert self._kc is not None
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
            assert self._kc is not None
            content = await self._request(self._kc.is_complete(code))
        return str(content.get("status", "unknown"))
