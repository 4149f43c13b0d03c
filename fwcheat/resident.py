"""The resident run helper: a background fwcheat that answers plain `fwcheat run` commands.

On warm kernels a `fwcheat run` spends a few milliseconds in the kernel and
several times that starting Python, importing fwcheat's quick path, opening the
index and connecting to the kernels. The helper pays those once: it keeps the
quick path (:mod:`fwcheat.quickrun`) imported and its kernel connections open,
and listens on a Unix socket in the private runtime folder (0700, the one that
holds the warm kernels' records). The ``fwcheat`` command (:mod:`fwcheat.launch`)
sends it the command line, environment and working directory, and passes its
standard streams as file descriptors; the helper runs the quick path under that
environment, in that folder, writing into the caller's own streams (so colours,
widths and pipes are the caller's), and answers the exit status. Whatever the
quick path declines is answered "declined", and the command runs it itself.

One request at a time: a command that arrives while one runs is declined at
once and runs in its own process (on another warm kernel slot), so a long
snippet never holds another command up. A command that is interrupted (Ctrl-C,
SIGTERM) or killed closes its side of the socket; the helper then stops the
busy kernels, as the command itself would.

A `fwcheat run` that found no helper and left warm kernels starts one
(:func:`fwcheat.launch.start_helper`); a lock in the runtime folder keeps it to one. It exits after
``idle_timeout`` seconds without a request (as the kernels do), when its files
are removed, when fwcheat's code changes under it, or on ``fwcheat kernels
stop``. It serves only the same fwcheat, Python and import path as its own.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import queue
import signal
import socket
import sys
import threading
import time

from fwcheat import quickrun
from fwcheat.kernels.warm import (
    DEFAULT_IDLE_TIMEOUT,
    _try_lock,
    resident_file,
    runtime_root,
    write_resident_record,
)
from fwcheat.launch import PROTOCOL, identity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, TextIO

#: Seconds between checks that the helper's files are still there, while idle.
CHECK_EVERY = 2.0
#: The largest request read (the environment is most of it).
MAX_REQUEST = 4 << 20
DECLINED = marshal.dumps((None,))


def _preload() -> None:
    """Import what a run needs, so the first request does not pay for it."""
    import json  # noqa: F401

    import fwcheat.fastcards
    import fwcheat.kernels.base
    import fwcheat.kernels.config
    import fwcheat.kernels.zmtp
    import fwcheat.run_cards
    import fwcheat.store
    import fwcheat.tracebacks  # noqa: F401
    from fwcheat.knowledge.sources import remember_scans

    remember_scans()


class _CodeStamp:
    """Notices when a file of fwcheat's own code changes after the helper imported it."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def changed(self) -> bool:
        for name, module in list(sys.modules.items()):
            if not (name == "fwcheat" or name.startswith("fwcheat.")):
                continue
            path = getattr(module, "__file__", None)
            if not path:
                continue
            try:
                stamp = os.stat(path).st_mtime_ns
            except OSError:
                return True
            if self.seen.setdefault(path, stamp) != stamp:
                return True
        return False


class Helper:
    """The listening helper: an accepting thread hands requests to the main thread, one at a time."""

    def __init__(self, root: str, listener: socket.socket, idle_timeout: float) -> None:
        self.root = root
        self.listener = listener
        self.idle_timeout = idle_timeout
        self.identity = identity(sys.path)
        self.code = _CodeStamp()
        self.requests: queue.Queue[socket.socket] = queue.Queue()
        #: True from a request's arrival until its answer is sent (the slots' stamps come after).
        self.taken = False
        self.lock = threading.Lock()
        self.stale = False
        #: Requests answered (run or declined), in the record for `fwcheat kernels`.
        self.served = 0
        self.last_used = time.time()
        self.started = self.last_used
        self.socket_inode = os.stat(resident_file(root, "sock")).st_ino
        self.devnull = os.open(os.devnull, os.O_RDWR)
        self.streams = (sys.stdout, sys.stderr)
        self.code.changed()  # stamps what is imported now

    # -- the accepting thread ---------------------------------------------------------

    def accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # the listener was closed: the helper is leaving
            try:
                credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
                if int.from_bytes(credentials[4:8], sys.byteorder) != os.getuid():
                    connection.close()
                    continue
                with self.lock:
                    busy, self.taken = self.taken, True
                if busy:
                    connection.sendall(DECLINED)  # a run is going: the command runs it itself
                    connection.close()
                    continue
            except OSError:
                connection.close()
                continue
            self.requests.put(connection)

    # -- the main thread ----------------------------------------------------------------

    def serve(self) -> None:
        threading.Thread(target=self.accept, name="fwcheat-resident-accept", daemon=True).start()
        while not self.stale:
            left = self.idle_timeout - (time.time() - self.last_used)
            try:
                connection = self.requests.get(timeout=min(CHECK_EVERY, max(left, 0.05)))
            except queue.Empty:
                if time.time() - self.last_used >= self.idle_timeout or not self.files_still_mine():
                    return
                continue
            try:
                self._answer(connection)
            except Exception:  # never let one request take the helper down
                pass
            finally:
                with self.lock:
                    self.taken = False  # before the close: the caller may come back the moment it sees it
                connection.close()
                with contextlib.suppress(Exception):
                    quickrun.finish_later()  # the slots' stamps and unlocks, after the answer
                self.served += 1
                self.last_used = time.time()
                self._stamp()

    def files_still_mine(self) -> bool:
        try:
            return os.stat(resident_file(self.root, "sock")).st_ino == self.socket_inode
        except OSError:
            return False

    def _stamp(self) -> None:
        with contextlib.suppress(OSError):
            write_resident_record(self.root, self.record())

    def record(self) -> dict[str, object]:
        from fwcheat.kernels.procs import process_start_ticks

        return {
            "pid": os.getpid(),
            "ticks": process_start_ticks(os.getpid()),
            "started": self.started,
            "last_used": self.last_used,
            "idle_timeout": self.idle_timeout,
            "served": self.served,
        }

    def _answer(self, connection: socket.socket) -> None:
        request, descriptors = _read_request(connection)
        try:
            status = self._run(connection, request, descriptors) if request is not None else None
        finally:
            for fd in descriptors:
                with contextlib.suppress(OSError):
                    os.close(fd)
        with contextlib.suppress(OSError):
            connection.sendall(marshal.dumps((status,)))

    def _run(self, connection: socket.socket, request: tuple[Any, ...], descriptors: list[int]) -> int | None:
        try:
            protocol, who, arguments, cwd, environ, streams = request
        except (TypeError, ValueError):
            return None
        if protocol != PROTOCOL or tuple(who) != self.identity or len(descriptors) != 3:
            return None
        if self.code.changed():
            self.stale = True  # fwcheat was upgraded or edited: leave, and let the command run it
            return None
        if arguments[:1] != ["run"]:
            return None
        saved_environ = dict(os.environ)
        try:
            os.chdir(cwd)
        except OSError:
            return None
        os.environ.clear()
        os.environ.update(environ)
        opened: list[TextIO] = []
        try:
            # The caller's streams become this process's 0, 1 and 2 for the request, so everything
            # that looks at them (isatty, the terminal's size, pipes) sees what the caller has.
            for number, fd in enumerate(descriptors):
                os.dup2(fd, number)
            for number, (encoding, errors, line_buffering) in zip((1, 2), streams, strict=True):
                opened.append(
                    open(  # noqa: SIM115
                        number,
                        "w",
                        buffering=1 if line_buffering else -1,
                        encoding=encoding,
                        errors=errors,
                        closefd=False,
                    )
                )
            sys.stdout, sys.stderr = opened
            return quickrun.main(arguments[1:], cancel=connection)
        except KeyboardInterrupt:
            with contextlib.suppress(OSError, ValueError):
                print("interrupted", file=sys.stderr)  # as the command itself says it
            return 130
        except BrokenPipeError:
            return 0
        except Exception:  # a fault of fwcheat's own: the caller sees it, the helper carries on
            import traceback

            traceback.print_exc()
            return 1
        finally:
            for stream in opened:
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
            sys.stdout, sys.stderr = self.streams
            for number in (0, 1, 2):
                os.dup2(self.devnull, number)
            os.environ.clear()
            os.environ.update(saved_environ)
            os.chdir("/")


def _configured_idle_timeout() -> float:
    settings = quickrun.kernel_settings()
    return settings[1] if settings is not None else DEFAULT_IDLE_TIMEOUT


def _read_request(connection: socket.socket) -> tuple[tuple[Any, ...] | None, list[int]]:
    """The request and the descriptors that came with it (None for a request that cannot be read)."""
    descriptors: list[int] = []
    try:
        connection.settimeout(5.0)
        data, descriptors, _flags, _address = socket.recv_fds(connection, 65536, 3)
        if len(data) < 4:
            return None, descriptors
        size = int.from_bytes(data[:4], "big")
        if size > MAX_REQUEST:
            return None, descriptors
        body = bytearray(data[4:])
        while len(body) < size:
            chunk = connection.recv(min(size - len(body), 1 << 20))
            if not chunk:
                return None, descriptors
            body += chunk
        connection.settimeout(None)
        request = marshal.loads(bytes(body))
    except (OSError, ValueError, EOFError, TypeError):
        return None, descriptors
    return (request if isinstance(request, tuple) else None), descriptors


def main(argv: Sequence[str] = ()) -> int:
    """Run the helper in this process until it is idle for ``argv[0]`` seconds.

    By default, the warm kernels' own ``idle_timeout`` from the config file (600 s).
    """
    try:
        idle_timeout = float(argv[0]) if argv else _configured_idle_timeout()
    except ValueError:
        idle_timeout = DEFAULT_IDLE_TIMEOUT
    os.chdir("/")
    try:
        root = runtime_root()
        lock = _try_lock(resident_file(root, "lock"))
    except OSError:
        return 1
    if lock is None:
        return 0  # another helper serves this folder
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = resident_file(root, "sock")
    helper: Helper | None = None
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # left by a helper that was killed (it held the lock we now hold)
        listener.bind(path)
        os.chmod(path, 0o600)
        listener.listen(16)
        _preload()
        quickrun.keep_state()
        helper = Helper(root, listener, idle_timeout)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        helper._stamp()
        helper.serve()
    except OSError:
        return 1
    finally:
        listener.close()
        with contextlib.suppress(Exception):
            quickrun.finish_later()
            quickrun.forget_connections()
        with contextlib.suppress(OSError):
            if helper is None or helper.files_still_mine():  # not a newer helper's socket
                os.unlink(path)
                os.unlink(resident_file(root, "json"))
        lock.close()
    return 0
