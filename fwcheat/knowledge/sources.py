"""Where knowledge files come from, and a cheap fingerprint of them.

Three layers, later ones overriding earlier ones entry by entry (same ``id``):
the bundled knowledge base, the user's config dir, then ``FWCHEAT_KNOWLEDGE_PATH``.
The fingerprint (paths, sizes, mtimes) lets the search index tell, with a few
``stat`` calls, whether it must be rebuilt. This module is on the search path,
so it works on plain strings with ``os`` (``bundled_dir()`` and ``user_dir()``
still hand out ``Path`` objects to callers that want them).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from pathlib import Path
    from typing import TypeAlias

    StrPath: TypeAlias = str | os.PathLike[str]

ENV_PATH = "FWCHEAT_KNOWLEDGE_PATH"
SUFFIXES = (".yaml", ".yml")


_BUNDLED: list[str] = []


def bundled_root() -> str:
    """The bundled knowledge base: inside the wheel, or the repo's `knowledge/` (found once)."""
    if not _BUNDLED:
        package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
        shipped = os.path.join(package, "_knowledge")
        _BUNDLED.append(
            shipped if os.path.isdir(shipped) else os.path.join(os.path.dirname(package), "knowledge")
        )
    return _BUNDLED[0]


def user_root() -> str:
    """The user's own knowledge files (created on demand, e.g. by the TUI's save)."""
    from fwcheat.paths import config_dir

    return os.path.join(config_dir(), "knowledge")


def bundled_dir() -> Path:
    from pathlib import Path

    return Path(bundled_root())


def user_dir() -> Path:
    from pathlib import Path

    return Path(user_root())


class Layer:
    """One source of knowledge files; ``files`` in a stable order."""

    __slots__ = ("files", "name", "stamps")

    def __init__(
        self, name: str, files: tuple[StrPath, ...], stamps: tuple[str | None, ...] | None = None
    ) -> None:
        self.name = name
        self.files = files
        #: ``size|mtime_ns`` of each file as found while listing them (None: could not stat).
        self.stamps = stamps

    def __repr__(self) -> str:
        return f"Layer({self.name!r}, {len(self.files)} files)"


def _files_in(path: str) -> list[str]:
    return _scan(path)[0]


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


#: Scans kept by a long-lived process (see :func:`remember_scans`): root -> (folders with
#: their mtimes, files, stamps, whether inotify watches every folder).
_remembered: dict[str, tuple[list[tuple[str, int]], list[str], list[str | None], bool]] | None = None
_watch: _Watch | None = None


class _Watch:
    """inotify on the folders scanned: any event there (an edit, a file added, removed or
    renamed) means the kept scans are out of date. Linux only; one read to check them all."""

    #: IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE,
    #: IN_DELETE_SELF, IN_MOVE_SELF
    MASK = 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800

    def __init__(self) -> None:
        import ctypes

        self._libc = ctypes.CDLL(None, use_errno=True)
        self.fd = int(self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC))
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")

    def add(self, folder: str) -> bool:
        return int(self._libc.inotify_add_watch(self.fd, os.fsencode(folder), self.MASK)) >= 0

    def changed(self) -> bool:
        """True when anything happened in a watched folder since the last call (events drained)."""
        seen = False
        while True:
            try:
                if not os.read(self.fd, 65536):
                    return True
            except BlockingIOError:
                return seen
            except OSError:
                return True
            seen = True


def remember_scans() -> None:
    """Keep each folder's scan, and re-use it while nothing under it changed.

    For the resident run helper, which opens the index on every request. Where
    inotify is there, a kept scan is checked by one read of its events; elsewhere
    by one ``stat`` per folder (a file added, removed or renamed changes its
    folder's mtime) and per file (an edit changes its size or mtime).
    """
    global _remembered, _watch
    _remembered = {}
    if sys.platform.startswith("linux"):
        try:
            _watch = _Watch()
        except (OSError, AttributeError):
            _watch = None


def _still_valid(kept: tuple[list[tuple[str, int]], list[str], list[str | None], bool]) -> bool:
    folders, files, stamps, watched = kept
    if watched and _watch is not None:
        return True  # the caller checked the events first
    try:
        for folder, mtime in folders:
            if os.stat(folder).st_mtime_ns != mtime:
                return False
        for path, stamp in zip(files, stamps, strict=True):
            st = os.stat(path)
            if stamp != f"{st.st_size}|{st.st_mtime_ns}":
                return False
    except OSError:
        return False
    return True


def _scan(path: str) -> tuple[list[str], list[str | None]]:
    """The knowledge files under ``path`` in ``os.walk`` order (names sorted), with their stamps.

    One ``scandir`` pass that stats each file as it lists it: the fingerprint then
    needs no second round of ``stat`` calls (this runs before every search).
    """
    if os.path.isfile(path):
        try:
            st = os.stat(path)
        except OSError:
            return [path], [None]
        return [path], [f"{st.st_size}|{st.st_mtime_ns}"]
    if _remembered is not None:
        if _watch is not None and _watch.changed():
            _remembered.clear()
        kept = _remembered.get(path)
        if kept is not None and _still_valid(kept):
            return list(kept[1]), list(kept[2])
    files: list[str] = []
    stamps: list[str | None] = []
    folders_seen: list[tuple[str, int]] | None = [] if _remembered is not None else None
    watched = [True]

    def walk(folder: str) -> None:
        try:
            if folders_seen is not None:  # before listing: a change meanwhile shows next time
                if _watch is None or not _watch.add(folder):
                    watched[0] = False
                folders_seen.append((folder, os.stat(folder).st_mtime_ns))
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_name)
        except OSError:
            return
        folders = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                folders.append(entry)
            elif entry.name.endswith(SUFFIXES):
                files.append(entry.path)
                try:
                    st = entry.stat()
                except OSError:
                    stamps.append(None)
                else:
                    stamps.append(f"{st.st_size}|{st.st_mtime_ns}")
        for entry in folders:
            try:
                if entry.is_symlink():
                    continue  # os.walk does not follow links either
            except OSError:
                continue
            walk(entry.path)

    walk(path)
    if folders_seen and folders_seen[0][0] == path and None not in stamps and _remembered is not None:
        _remembered[path] = (folders_seen, list(files), list(stamps), watched[0])
    return files, stamps


def knowledge_roots() -> list[str]:
    """Every folder knowledge files are read from (category folders sit directly inside)."""
    roots = [bundled_root(), user_root()]
    roots.extend(
        os.path.expanduser(part) for part in os.environ.get(ENV_PATH, "").split(os.pathsep) if part.strip()
    )
    return roots


def layers(include_user: bool = True) -> list[Layer]:
    """The knowledge layers in override order (bundled first)."""
    result = [_layer("bundled", [bundled_root()])]
    if include_user:
        result.append(_layer("user", [user_root()]))
        parts = [os.path.expanduser(p) for p in os.environ.get(ENV_PATH, "").split(os.pathsep) if p.strip()]
        result.append(_layer(ENV_PATH, parts))
    return result


def _layer(name: str, roots: list[str]) -> Layer:
    files: list[str] = []
    stamps: list[str | None] = []
    for root in roots:
        found, stamped = _scan(root)
        files.extend(found)
        stamps.extend(stamped)
    return Layer(name, tuple(files), tuple(stamps))


def fingerprint(all_layers: list[Layer]) -> str:
    """A string that changes whenever any knowledge file is added, removed or edited."""
    parts: list[str] = []
    for layer in all_layers:
        stamps = layer.stamps if layer.stamps is not None else (None,) * len(layer.files)
        for path, stamp in zip(layer.files, stamps, strict=True):
            if stamp is None and layer.stamps is None:
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                stamp = f"{st.st_size}|{st.st_mtime_ns}"
            if stamp is None:
                continue
            parts.append(f"{layer.name}|{os.fspath(path)}|{stamp}")
    return "\n".join(parts)
