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
    files: list[str] = []
    stamps: list[str | None] = []

    def walk(folder: str) -> None:
        try:
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
