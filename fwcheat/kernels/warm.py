"""Kernels that stay warm between commands.

Starting a framework's kernel takes seconds (importing TensorFlow alone about
four); running a small snippet takes milliseconds. So ``fwcheat run`` and
``verify`` leave their kernels running, and the next command reconnects to
them through Jupyter's own connection files instead of starting new ones.

Layout: a private runtime folder (0700; see :func:`runtime_root`) holds, per
framework and *slot*, a record ``<framework>-<slot>.json`` (pid, start time,
connection file, the signature it was started with, last use), a lock file
``<framework>-<slot>.lock`` and the kernel's connection file (0600, with its
HMAC key) and log.

- A command takes a slot by locking its lock file (``flock``) for as long as
  it uses the kernel, so two commands never interleave on one kernel: the
  second takes the next free slot (and its kernel, or a new one).
- A slot's kernel is reused only when it is alive, is the very process
  recorded (pid and start time), and was started with the same signature:
  fwcheat version and in-kernel helpers, Python, kernelspec, the environment
  variables that steer frameworks (``CUDA_VISIBLE_DEVICES``...), output cap
  and idle timeout. Otherwise it is killed and replaced; the user gets a note.
- Every run still gets a fresh namespace and the requested device (see
  :func:`fwcheat.kernels.prelude.prepare_line`), and the caller's working
  directory.
- A warm kernel exits by itself after ``idle_timeout`` seconds without a
  request (a thread inside it, see ``in_kernel._watch_idle``), so nothing
  lingers even when fwcheat was killed. ``fwcheat kernels stop`` ends them
  now.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import sys
import time

from fwcheat.kernels.procs import process_alive, process_rss

TYPE_CHECKING = False  # neither typing nor dataclasses: this module is on `run`'s quick path
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import IO, Any

try:  # the builtin module: hashlib would load OpenSSL, a cost on `fwcheat run`'s quick path
    from _sha256 import sha256
except ImportError:  # pragma: no cover
    from hashlib import sha256

#: Seconds a warm kernel waits for a request before it exits (config: ``[kernels] idle_timeout``).
DEFAULT_IDLE_TIMEOUT = 600.0
#: Slots tried per framework before a command falls back to a private kernel.
MAX_SLOTS = 32
#: Environment variables that change what any framework does (each framework's own
#: prefixes are in its table row): a kernel started under other values is replaced.
ENV_PREFIXES = (
    "CUDA_",
    "NVIDIA_",
    "HIP_",
    "ROCR_",
    "OMP_",
    "MKL_",
    "OPENBLAS_",
    "PYTHON",
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
)
#: Set in a warm kernel's environment (read by ``in_kernel.startup``).
IDLE_VARIABLE = "FWCHEAT_IDLE_TIMEOUT"


def runtime_root() -> str:
    """The private folder for warm kernels' records and connection files, created 0700.

    See :func:`fwcheat.paths.runtime_dir` for where it is.
    """
    from fwcheat.paths import private_dir, runtime_dir

    return private_dir(runtime_dir())


def _helpers_digest() -> str:
    from fwcheat import __version__

    here = os.path.dirname(__file__)
    digest = sha256(__version__.encode())
    for name in ("in_kernel.py", "prelude.py"):
        with contextlib.suppress(OSError), open(os.path.join(here, name), "rb") as handle:
            digest.update(handle.read())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def signature(
    framework: str,
    kernel_name: str | None,
    env: dict[str, str],
    *,
    output_cap: int,
    idle_timeout: float,
) -> dict[str, str]:
    """What a warm kernel must have been started with to be reused."""
    from fwcheat.frameworks import TABLE

    prefixes = ENV_PREFIXES + tuple(p for row in TABLE for p in row.env_prefixes)
    steering = {k: v for k, v in sorted(os.environ.items()) if k.startswith(prefixes)}
    steering.update({f"kernel:{k}": v for k, v in sorted(env.items())})
    return {
        "framework": framework,
        "fwcheat": _helpers_digest(),
        "python": f"{sys.prefix} {sys.version.split()[0]}",
        "kernelspec": kernel_name or "",
        "environment": sha256(json.dumps(steering, sort_keys=True).encode()).hexdigest()[:16],
        "settings": f"output cap {output_cap}, idle timeout {idle_timeout:g}s",
    }


#: How each signature field reads in a note ("it was started for ...").
_MISMATCH = {
    "fwcheat": "another fwcheat version",
    "python": "another Python",
    "kernelspec": "another kernelspec",
    "environment": "another environment (framework or CUDA variables changed)",
    "settings": "other settings",
    "framework": "another framework",
}


class WarmRecord:
    """What a command leaves behind about a warm kernel (a plain class, for a quick import)."""

    FIELDS = (
        "framework",
        "slot",
        "pid",
        "pgid",
        "ticks",
        "connection_file",
        "signature",
        "started",
        "last_used",
        "idle_timeout",
        "probe",
    )

    def __init__(
        self,
        framework: str,
        slot: int,
        pid: int,
        pgid: int,
        ticks: int | None,
        connection_file: str,
        signature: dict[str, str] | None = None,
        started: float = 0.0,
        last_used: float = 0.0,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        probe: dict[str, Any] | None = None,
    ) -> None:
        self.framework = framework
        self.slot = slot
        self.pid = pid
        self.pgid = pgid
        self.ticks = ticks
        self.connection_file = connection_file
        self.signature = signature or {}
        self.started = started
        self.last_used = last_used
        self.idle_timeout = idle_timeout
        #: The kernel's answer to the pool's first probe (versions, GPUs), reused with it.
        self.probe = probe or {}

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}

    @classmethod
    def load(cls, path: str) -> WarmRecord | None:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None

    @property
    def alive(self) -> bool:
        return process_alive(self.pid, self.ticks)


def _write_private(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically, mode 0600."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def kill_group(pid: int, pgid: int, ticks: int | None, grace: float = 1.0) -> None:
    """End a recorded kernel (TERM, then KILL after ``grace``), if it is still that process."""
    if not process_alive(pid, ticks):
        return
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and process_alive(pid, ticks):
        time.sleep(0.02)
    with contextlib.suppress(OSError):
        os.killpg(pgid, signal.SIGKILL)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and process_alive(pid, ticks):
        time.sleep(0.02)


class WarmSlot:
    """One command's hold on a warm kernel of one framework.

    :meth:`claim` locks a free slot and returns its record (None when it
    has none); the kernel then reconnects (or replaces it and calls
    :meth:`save`); :meth:`release` unlocks it and leaves the kernel running.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        framework: str,
        signature: dict[str, str],
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        self.root = os.fspath(root)
        self.framework = framework
        self.signature = signature
        self.idle_timeout = idle_timeout
        self.slot: int | None = None
        self._lock: IO[bytes] | None = None

    def _paths(self, slot: int) -> tuple[str, str]:
        stem = os.path.join(self.root, f"{self.framework}-{slot}")
        return f"{stem}.json", f"{stem}.lock"

    def claim(self) -> WarmRecord | None:
        """Lock a free slot, preferring one whose kernel can be reused; its record, if any."""
        if self._lock is not None:
            return self._record()
        free: list[tuple[int, IO[bytes], WarmRecord | None]] = []
        for slot in range(MAX_SLOTS):
            record_path, lock_path = self._paths(slot)
            handle = _try_lock(lock_path)
            if handle is None:
                continue  # another command uses it
            record = WarmRecord.load(record_path) if os.path.exists(record_path) else None
            free.append((slot, handle, record))
            if record is None or not self.unusable(record):
                break  # nothing better further on
        if not free:
            raise OSError(f"all {MAX_SLOTS} warm {self.framework} kernel slots are in use")
        usable = [f for f in free if f[2] is not None and not self.unusable(f[2])]
        chosen = usable[0] if usable else free[0]
        for slot, handle, _ in free:
            if slot != chosen[0]:
                handle.close()
        self.slot, self._lock = chosen[0], chosen[1]
        return chosen[2]

    def _record(self) -> WarmRecord | None:
        if self.slot is None:
            return None
        return WarmRecord.load(self._paths(self.slot)[0])

    def unusable(self, record: WarmRecord) -> str:
        """Why ``record``'s kernel cannot be reused ('' when it can)."""
        if not record.alive:
            return "it had exited"
        for key, value in self.signature.items():
            if record.signature.get(key) != value:
                return f"it was started for {_MISMATCH.get(key, key)}"
        if not os.path.isfile(record.connection_file):
            return "its connection file is gone"
        return ""

    def kernel_env(self) -> dict[str, str]:
        return {IDLE_VARIABLE: f"{self.idle_timeout:g}"}

    def save(self, pid: int, pgid: int, ticks: int | None, connection_file: str | os.PathLike[str]) -> None:
        """Record the kernel just started in the claimed slot."""
        assert self.slot is not None
        now = time.time()
        record = WarmRecord(
            self.framework,
            self.slot,
            pid,
            pgid,
            ticks,
            str(connection_file),
            dict(self.signature),
            started=now,
            last_used=now,
            idle_timeout=self.idle_timeout,
        )
        _write_private(self._paths(self.slot)[0], json.dumps(record.as_dict(), indent=1))

    def probe(self) -> dict[str, Any] | None:
        record = self._record()
        return record.probe if record is not None and record.probe else None

    def save_probe(self, answer: dict[str, Any]) -> None:
        record = self._record()
        if record is not None and self.slot is not None:
            record.probe = answer
            with contextlib.suppress(OSError):
                _write_private(self._paths(self.slot)[0], json.dumps(record.as_dict(), indent=1))

    def discard(self, record: WarmRecord) -> None:
        """End ``record``'s kernel and remove what it left."""
        kill_group(record.pid, record.pgid, record.ticks)
        remove_files(record)
        _remove(self._paths(record.slot)[0])

    def discard_current(self) -> None:
        """Forget the claimed slot's record (its kernel was just stopped)."""
        record = self._record()
        if record is not None:
            remove_files(record)
        if self.slot is not None:
            _remove(self._paths(self.slot)[0])

    def release(self) -> None:
        """Stamp the last use and unlock the slot; the kernel keeps running."""
        record = self._record()
        if record is not None and self.slot is not None:
            record.last_used = time.time()
            with contextlib.suppress(OSError):
                _write_private(self._paths(self.slot)[0], json.dumps(record.as_dict(), indent=1))
        self.unlock()

    def forget(self) -> None:
        """The kernel is gone: remove its record and unlock the slot."""
        self.discard_current()
        self.unlock()

    def unlock(self) -> None:
        """Let go of the slot without touching its record."""
        if self._lock is not None:
            self._lock.close()  # closing the file drops the flock
            self._lock = None
        self.slot = None


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _try_lock(path: str) -> IO[bytes] | None:
    """The lock file held, or None when another command holds it.

    Other failures (a file system without locks, a folder that cannot be
    written) raise OSError: the caller then uses a private kernel.
    """
    import errno

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    handle = os.fdopen(fd, "r+b")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        raise
    return handle


def remove_files(record: WarmRecord) -> None:
    """The connection file and log of a kernel that is gone."""
    _remove(record.connection_file)
    _remove(os.path.splitext(record.connection_file)[0] + ".log")


# -- listing and stopping (`fwcheat kernels`) --------------------------------------


class WarmKernel:
    """A warm kernel as ``fwcheat kernels`` lists it."""

    FIELDS = ("framework", "slot", "pid", "idle", "in_use", "memory", "exits_in")

    def __init__(
        self,
        framework: str,
        slot: int,
        pid: int,
        idle: float,
        in_use: bool,
        memory: int | None,
        exits_in: float,
    ) -> None:
        self.framework = framework
        self.slot = slot
        self.pid = pid
        #: Seconds since a command last let go of it (0 while one uses it).
        self.idle = idle
        self.in_use = in_use
        #: Resident memory in bytes (None when unknown).
        self.memory = memory
        #: Seconds until it exits by itself.
        self.exits_in = exits_in

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}


def _records(root: str) -> Iterator[tuple[str, WarmRecord | None]]:
    try:
        names = sorted(os.listdir(root))
    except FileNotFoundError:
        return
    for name in names:
        if name.endswith(".json") and "-" in name and not name.startswith(("kernel-", ".")):
            path = os.path.join(root, name)  # not a connection file
            yield path, WarmRecord.load(path)


def any_warm_kernel(root: str | os.PathLike[str]) -> bool:
    """True when a warm kernel's record is in ``root`` (alive or not: a cheap look)."""
    return any(record is not None for _path, record in _records(os.fspath(root)))


def warm_kernels(root: str | os.PathLike[str] | None = None) -> list[WarmKernel]:
    """The warm kernels alive now; records of kernels that are gone are removed."""
    root = os.fspath(root or runtime_root())
    found = []
    now = time.time()
    for path, record in _records(root):
        if record is None:
            continue
        lock = path[: -len(".json")] + ".lock"
        exists = os.path.exists(lock)
        handle = _try_lock(lock) if exists else None
        in_use = exists and handle is None
        try:
            if not record.alive:
                if not in_use:
                    remove_files(record)
                    _remove(path)
                continue
        finally:
            if handle is not None:
                handle.close()
        idle = 0.0 if in_use else max(now - record.last_used, 0.0)
        found.append(
            WarmKernel(
                record.framework,
                record.slot,
                record.pid,
                idle,
                in_use,
                process_rss(record.pid),
                max(record.idle_timeout - idle, 0.0),
            )
        )
    return found


def stop_warm_kernels(root: str | os.PathLike[str] | None = None) -> list[WarmKernel]:
    """End every warm kernel (in use or not) and the resident run helper; the kernels stopped."""
    root = os.fspath(root or runtime_root())
    stop_resident(root)
    stopped = []
    listed = {(k.framework, k.slot): k for k in warm_kernels(root)}
    for path, record in _records(root):
        if record is None:
            _remove(path)
            continue
        kill_group(record.pid, record.pgid, record.ticks)
        remove_files(record)
        _remove(path)
        if (record.framework, record.slot) in listed:
            stopped.append(listed[(record.framework, record.slot)])
    return stopped


# -- the resident run helper's files (see fwcheat.resident) ---------------------------

#: The helper's files in the runtime folder: ``resident.sock``, ``resident.lock``, ``resident.json``.
RESIDENT = "resident"


def resident_file(root: str, suffix: str) -> str:
    return os.path.join(root, f"{RESIDENT}.{suffix}")


def resident_record(root: str | os.PathLike[str] | None = None) -> dict[str, Any] | None:
    """The resident run helper's record (pid, ticks, started, last_used, idle_timeout) while it runs."""
    root = os.fspath(root or runtime_root())
    try:
        with open(resident_file(root, "json"), encoding="utf-8") as handle:
            record = json.load(handle)
        pid, ticks = int(record["pid"]), record.get("ticks")
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if not process_alive(pid, ticks if isinstance(ticks, int) else None):
        return None
    return dict(record)


def write_resident_record(root: str, record: dict[str, Any]) -> None:
    _write_private(resident_file(root, "json"), json.dumps(record, indent=1))


def stop_resident(root: str | os.PathLike[str] | None = None) -> int | None:
    """Stop the resident run helper, if one runs; its pid."""
    root = os.fspath(root or runtime_root())
    record = resident_record(root)
    if record is None:
        return None
    pid = int(record["pid"])
    ticks = record.get("ticks")
    kill_group(pid, pid, ticks if isinstance(ticks, int) else None)  # it leads its own session
    for suffix in ("json", "sock"):
        _remove(resident_file(root, suffix))
    return pid
