"""Editing a user's knowledge file in place without losing or altering anything else.

``fwcheat verify --update`` and the TUI's save both rewrite a file someone may
keep in a dotfiles repository, edit on Windows, or share. One function,
:func:`edit_file`, does it for both, so that:

* two fwcheat processes editing one file never lose an update: the edit holds
  an exclusive lock (a lock file under the cache dir, not beside the user's
  file) and reads the file again under it;
* the file keeps its line endings (CRLF stays CRLF), its byte-order mark and
  its permissions, and a symlink stays a symlink: the link's target is written;
* the new text goes to a uniquely named temp file beside the target, is
  fsync'ed, then renamed over it (and the folder fsync'ed), so a crash leaves
  the old file or the new one, never half of one; temp files a killed save left
  behind are removed by the next edit of that file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from fwcheat.knowledge.guards import FileRefused, read_limited

TEMP_SUFFIX = ".fwcheat-tmp"
#: How long an edit waits for another process's edit of the same file.
LOCK_WAIT_S = 30.0
_BOM = "\ufeff"


class EditError(OSError):
    """The file could not be edited safely; it is unchanged."""


def _lock_path(target: str) -> str:
    from fwcheat.paths import cache_dir, private_dir

    folder = private_dir(os.path.join(cache_dir(), "locks"))
    digest = hashlib.sha256(target.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return os.path.join(folder, f"{digest}.lock")


@contextlib.contextmanager
def file_lock(target: str, wait: float = LOCK_WAIT_S) -> Iterator[None]:
    """Hold an exclusive lock on edits of ``target`` (a resolved path) for the ``with`` block."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: atomic rename only
        yield
        return
    try:
        fd = os.open(_lock_path(target), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        # No writable cache dir: lock the folder the file is in instead.
        fd = os.open(os.path.dirname(target) or ".", os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise EditError(
                        f"{target}: another fwcheat has been editing this file for {wait:.0f} s; "
                        "nothing was written"
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def remove_leftovers(target: str) -> list[str]:
    """Delete temp files that killed edits of ``target`` left beside it (call under the lock)."""
    folder, name = os.path.split(target)
    ours = re.compile(
        rf"\.{re.escape(name)}\.[^/]*{re.escape(TEMP_SUFFIX)}"  # this module's
        rf"|{re.escape(name)}{re.escape(TEMP_SUFFIX)}"  # older fwcheat's fixed name
        rf"|{re.escape(name)}[a-z0-9_]{{8}}\.tmp"  # older TUI saves (mkstemp)
    )
    removed: list[str] = []
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return removed
    for other in names:
        if ours.fullmatch(other):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, other))
                removed.append(other)
    return removed


def sweep_leftovers(root: str, min_age: float = 600.0) -> list[str]:
    """Delete this module's temp files under ``root`` older than ``min_age`` seconds (killed edits).

    Run when the index is rebuilt, so a temp file of a file never edited again
    does not stay forever; a younger one may belong to an edit still running.
    """
    removed: list[str] = []
    now = time.time()
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in names:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                path = os.path.join(folder, name)
                with contextlib.suppress(OSError):
                    if now - os.lstat(path).st_mtime >= min_age:
                        os.unlink(path)
                        removed.append(path)
    return removed


def write_atomic(target: str, data: bytes, mode: int | None) -> None:
    """Replace ``target`` by ``data``: unique temp file, fsync, chmod, rename, fsync of the folder."""
    folder, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=folder or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder or ".", os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def edit_file(path: str | os.PathLike[str], change: Callable[[str], str], *, create: bool = False) -> bool:
    """Apply ``change`` (old text -> new text) to the file at ``path``; True when it changed.

    ``change`` sees the text with ``\\n`` line ends and no byte-order mark and may
    raise to refuse (the file is then untouched). With ``create``, a missing file
    is edited as ``""``. Raises :class:`EditError` (an ``OSError``) when the file
    cannot be read or written safely.
    """
    target = os.path.realpath(path)  # a symlink's target is what gets written
    folder = os.path.dirname(target)
    if create:
        Path(folder).mkdir(parents=True, exist_ok=True)
    with file_lock(target):
        remove_leftovers(target)
        try:
            raw = read_limited(target)
            mode: int | None = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            if not create:
                raise
            raw, mode = b"", None
        except FileRefused as exc:
            raise EditError(f"{path}: {exc}; nothing was written") from exc
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EditError(f"{path} is not UTF-8 ({exc.reason}); nothing was written") from exc
        bom = text.startswith(_BOM)
        text = text.removeprefix(_BOM)
        crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
        if crlf:
            text = text.replace("\r\n", "\n")
        new = change(text)
        if new == text:
            return False
        if crlf:
            new = new.replace("\n", "\r\n")
        write_atomic(target, ((_BOM if bom else "") + new).encode("utf-8"), mode)
    return True
