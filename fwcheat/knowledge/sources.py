"""Where knowledge files come from, and a cheap fingerprint of them.

Three layers, later ones overriding earlier ones entry by entry (same ``id``):
the bundled knowledge base, the user's config dir, then ``FWCHEAT_KNOWLEDGE_PATH``.
The fingerprint (paths, sizes, mtimes) lets the search index tell, with a few
``stat`` calls, whether it must be rebuilt.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

ENV_PATH = "FWCHEAT_KNOWLEDGE_PATH"
SUFFIXES = (".yaml", ".yml")


def bundled_dir() -> Path:
    """The bundled knowledge base: inside the wheel, or the repo's `knowledge/`."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "_knowledge"
    return shipped if shipped.is_dir() else package.parent / "knowledge"


def user_dir() -> Path:
    """The user's own knowledge files (created on demand, e.g. by the TUI's save)."""
    from fwcheat.paths import config_dir

    return config_dir() / "knowledge"


class Layer(NamedTuple):
    """One source of knowledge files; ``files`` in a stable order."""

    name: str
    files: tuple[Path, ...]


def _files_in(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    return []


def layers(include_user: bool = True) -> list[Layer]:
    """The knowledge layers in override order (bundled first)."""
    result = [Layer("bundled", tuple(_files_in(bundled_dir())))]
    if include_user:
        result.append(Layer("user", tuple(_files_in(user_dir()))))
        env = os.environ.get(ENV_PATH, "")
        extra: list[Path] = []
        for part in env.split(os.pathsep):
            if part.strip():
                extra.extend(_files_in(Path(part).expanduser()))
        result.append(Layer(ENV_PATH, tuple(extra)))
    return result


def fingerprint(all_layers: list[Layer]) -> str:
    """A string that changes whenever any knowledge file is added, removed or edited."""
    parts: list[str] = []
    for layer in all_layers:
        for path in layer.files:
            try:
                st = path.stat()
            except OSError:
                continue
            parts.append(f"{layer.name}|{path}|{st.st_size}|{st.st_mtime_ns}")
    return "\n".join(parts)
