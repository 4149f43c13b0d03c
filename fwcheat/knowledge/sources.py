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


def bundled_root() -> str:
    """The bundled knowledge base: inside the wheel, or the repo's `knowledge/`."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    shipped = os.path.join(package, "_knowledge")
    return shipped if os.path.isdir(shipped) else os.path.join(os.path.dirname(package), "knowledge")


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

    __slots__ = ("files", "name")

    def __init__(self, name: str, files: tuple[StrPath, ...]) -> None:
        self.name = name
        self.files = files

    def __repr__(self) -> str:
        return f"Layer({self.name!r}, {len(self.files)} files)"


def _files_in(path: str) -> list[str]:
    if os.path.isfile(path):
        return [path]
    found: list[str] = []
    for folder, subfolders, names in os.walk(path):
        subfolders.sort()
        found.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith(SUFFIXES))
    return found


def knowledge_roots() -> list[str]:
    """Every folder knowledge files are read from (category folders sit directly inside)."""
    roots = [bundled_root(), user_root()]
    roots.extend(
        os.path.expanduser(part) for part in os.environ.get(ENV_PATH, "").split(os.pathsep) if part.strip()
    )
    return roots


def layers(include_user: bool = True) -> list[Layer]:
    """The knowledge layers in override order (bundled first)."""
    result = [Layer("bundled", tuple(_files_in(bundled_root())))]
    if include_user:
        result.append(Layer("user", tuple(_files_in(user_root()))))
        extra: list[str] = []
        for part in os.environ.get(ENV_PATH, "").split(os.pathsep):
            if part.strip():
                extra.extend(_files_in(os.path.expanduser(part)))
        result.append(Layer(ENV_PATH, tuple(extra)))
    return result


def fingerprint(all_layers: list[Layer]) -> str:
    """A string that changes whenever any knowledge file is added, removed or edited."""
    parts: list[str] = []
    for layer in all_layers:
        for path in layer.files:
            try:
                st = os.stat(path)
            except OSError:
                continue
            parts.append(f"{layer.name}|{os.fspath(path)}|{st.st_size}|{st.st_mtime_ns}")
    return "\n".join(parts)
