"""`fwcheat weights convert`: a trained checkpoint -> the target module's state_dict.

The checkpoint is read in the source kernel, the target built in the target
kernel, the names matched here (:mod:`fwcheat.porting.mapping`), and the values
loaded into the target there. The state_dict and the mapping YAML are written
only when every step succeeded, so a failed conversion leaves nothing behind.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fwcheat.porting.mapping import MapLine, Mapping, MappingError, dump_mapping, load_mapping
from fwcheat.porting.rules import RULE_FORMS, SourceParam, TargetParam, creation_order, split_source
from fwcheat.porting.sides import SOURCE, TARGET, PortingError, Sides, absolute


@dataclass
class Conversion:
    """What a conversion did: the checkpoint read, the mapping, the files written."""

    checkpoint: str
    form: str  # structural, prefixed or module
    target: str
    mapping: Mapping
    symbol: str | None = None
    written: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkpoint": self.checkpoint,
            "symbol": self.symbol,
            "form": self.form,
            "form_rule": RULE_FORMS,
            "target": self.target,
            "mapped": [p.to_dict() for p in self.mapping.pairs],
            "dropped": self.mapping.dropped,
            "kept_from_target": self.mapping.kept,
            "written": self.written,
            "seconds": round(self.seconds, 3),
        }


def mapping_path(out: Path) -> Path:
    """Where the mapping YAML of ``out`` (a .pt file) is written: ``out.map.yaml`` beside it."""
    return out.with_name(out.stem + ".map.yaml")


def check_output(out: Path) -> None:
    if out.is_dir():
        raise PortingError(f"--out {out} is a directory; name the .pt file to write")
    if not out.parent.is_dir():
        raise PortingError(f"--out {out}: the directory {out.parent} does not exist")


def read_user_map(map_file: str | os.PathLike[str] | None) -> dict[str, MapLine]:
    if map_file is None:
        return {}
    try:
        return load_mapping(Path(map_file))
    except MappingError as exc:
        raise PortingError(str(exc)) from None


async def match_in(
    sides: Sides,
    checkpoint: str,
    target: str,
    user: dict[str, MapLine],
    map_name: str,
    save_to: str | None,
) -> Conversion:
    """Read, match and load: the conversion steps both commands share."""
    arrays = sides.path("checkpoint.npz")
    cwd = os.getcwd()
    info = await sides.call(SOURCE, "read_checkpoint", src=absolute(checkpoint), out=arrays)
    described = await sides.call(TARGET, "describe", target=target, cwd=cwd)
    fixed = set(info["fixed_gamma"])
    sources: list[SourceParam] = [
        split_source(name, tuple(shape), name in fixed) for name, shape, _ in info["params"]
    ]
    index = {s.name: i for i, s in enumerate(sources)}  # position in the .npz
    if info["symbol"]:
        sources = creation_order(sources)
    targets = [TargetParam(name, tuple(shape), owner) for name, shape, _, owner in described["state"]]
    try:
        mapping = match(sources, targets, user, map_name)
    except MappingError as exc:
        raise PortingError(str(exc)) from None
    triples = [[index[p.source.name], p.target.name, p.transform] for p in mapping.pairs]
    await sides.call(TARGET, "load", mapping=triples, arrays=arrays, out=save_to or "")
    return Conversion(info["file"], info["form"], target, mapping, info["symbol"])


def match(
    sources: list[SourceParam], targets: list[TargetParam], user: dict[str, MapLine], map_name: str
) -> Mapping:
    from fwcheat.porting.mapping import match as match_names

    return match_names(sources, targets, user, map_name)


async def convert_async(
    checkpoint: str | os.PathLike[str],
    target: str,
    out: str | os.PathLike[str],
    map_file: str | os.PathLike[str] | None = None,
    *,
    pool: Any = None,
) -> Conversion:
    started = time.perf_counter()
    out_path = Path(out)
    check_output(out_path)
    user = read_user_map(map_file)
    map_out = mapping_path(out_path)
    async with Sides(pool=pool) as sides:
        staged = sides.path("state_dict.pt")
        result = await match_in(
            sides, os.fspath(checkpoint), target, user, os.fspath(map_file or "MAP.yaml"), staged
        )
        text = dump_mapping(result.mapping, result.checkpoint, target)
        staged_map = Path(sides.path("mapping.yaml"))
        staged_map.write_text(text, encoding="utf-8")
        # Both files are complete before either lands; os.replace within a
        # filesystem, a copy across (the temp dir may be elsewhere).
        for source_file, final in ((Path(staged), out_path), (staged_map, map_out)):
            part = final.with_name(final.name + ".part")
            part.write_bytes(source_file.read_bytes())
            os.replace(part, final)
            result.written.append(str(final))
    result.seconds = time.perf_counter() - started
    return result


def convert_weights(
    checkpoint: str | os.PathLike[str],
    target: str,
    out: str | os.PathLike[str],
    map_file: str | os.PathLike[str] | None = None,
) -> Conversion:
    """Convert ``checkpoint`` (a .params file or a Module prefix) for ``target``.

    ``target`` is ``path/to/file.py:factory`` or ``package.module:factory``, a
    callable returning the target module. Writes ``out`` (``torch.save`` of the
    state_dict) and the mapping YAML beside it; raises :class:`PortingError`
    (nothing written) when the checkpoint cannot be read, the target fails,
    or a parameter cannot be matched without a ``map_file`` line.
    """
    from fwcheat.kernels.session import run_sync

    return run_sync(convert_async(checkpoint, target, out, map_file))
