"""Match a checkpoint's parameters to a target's state_dict, and the mapping file.

Matching is in three passes, and nothing is guessed silently:

1. the user's ``--map`` lines;
2. by name: a structural checkpoint name, once renamed by the rules of
   :mod:`fwcheat.porting.rules`, that is a target name with the same shape;
3. by module order: the layers left on each side are paired in order, and a
   pair must have the same parameters with the same shapes.

Anything else (a pair that does not fit, a parameter left over on either side)
raises :class:`MappingError`, whose message gives the ``--map`` lines that would
resolve it. The mapping is written back as YAML the user can edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fwcheat.porting.rules import (
    RULE_ORDER,
    TARGET_ONLY_LEAVES,
    SourceParam,
    TargetParam,
    layout_rules,
)

TRANSFORMS = ("none", "ones")


class MappingError(ValueError):
    """The parameters cannot be matched without a decision from the user."""


@dataclass(frozen=True)
class Pair:
    """One checkpoint parameter and the target entry it fills."""

    source: SourceParam
    target: TargetParam
    how: str  # "map", "name" or "order"
    transform: str = "none"
    rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.name,
            "source_shape": list(self.source.shape),
            "target": self.target.name,
            "target_shape": list(self.target.shape),
            "transform": self.transform,
            "matched_by": self.how,
            "rules": list(self.rules),
        }


@dataclass
class Mapping:
    """The full mapping, and what each side keeps to itself."""

    pairs: list[Pair] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # checkpoint names mapped to null
    kept: list[str] = field(default_factory=list)  # target entries no checkpoint fills (step counters)

    def modules(self) -> list[tuple[str, str]]:
        """(source layer, target layer) pairs, in checkpoint order, each side once."""
        seen_s: set[str] = set()
        seen_t: set[str] = set()
        found = []
        for p in self.pairs:
            s, t = p.source.module, p.target.module
            if s in seen_s or t in seen_t:
                continue
            seen_s.add(s)
            seen_t.add(t)
            found.append((s, t))
        return found


@dataclass(frozen=True)
class MapLine:
    """One line of a user's mapping file."""

    target: str | None
    transform: str
    line: int


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + (",)" if len(shape) == 1 else ")")


def _describe(params: list[Any]) -> str:
    return ", ".join(f"{p.leaf or p.name} {_shape(p.shape)}" for p in params)


def match(
    sources: list[SourceParam],
    targets: list[TargetParam],
    user: dict[str, MapLine] | None = None,
    map_path: str = "MAP.yaml",
) -> Mapping:
    """Pair every checkpoint parameter with one target entry (see the module docstring)."""
    user = user or {}
    result = Mapping()
    by_target = {t.name: t for t in targets}
    by_source = {s.name: s for s in sources}
    taken: set[str] = set()
    done: set[str] = set()

    for name, line in user.items():
        where = f"{map_path}:{line.line}"
        if name not in by_source:
            raise MappingError(f"{where}: the checkpoint has no parameter {name!r}")
        if line.target is None:
            result.dropped.append(name)
            done.add(name)
            continue
        if line.target not in by_target:
            raise MappingError(f"{where}: the target has no parameter {line.target!r}")
        if line.target in taken:
            raise MappingError(f"{where}: {line.target!r} is already filled by another line")
        s, t = by_source[name], by_target[line.target]
        if s.shape != t.shape:
            raise MappingError(
                f"{where}: shape mismatch: {name} {_shape(s.shape)} cannot fill {t.name} {_shape(t.shape)}"
            )
        transform = line.transform if line.transform != "none" or not s.fixed_gamma else "ones"
        result.pairs.append(Pair(s, t, "map", transform, s.rules + layout_rules(s, t)))
        taken.add(t.name)
        done.add(name)

    for s in sources:
        if s.name in done:
            continue
        named = by_target.get(s.target_name)
        if named is not None and named.name not in taken and named.shape == s.shape:
            result.pairs.append(Pair(s, named, "name", _transform(s), s.rules + layout_rules(s, named)))
            taken.add(named.name)
            done.add(s.name)

    left_s = [s for s in sources if s.name not in done]
    left_t = [t for t in targets if t.name not in taken and t.leaf not in TARGET_ONLY_LEAVES]
    result.kept = [t.name for t in targets if t.name not in taken and t.leaf in TARGET_ONLY_LEAVES]
    s_modules = _group(left_s)
    t_modules = _group(left_t)
    for i, (s_mod, s_params) in enumerate(s_modules):
        if i >= len(t_modules):
            names = [p for _, ps in s_modules[i:] for p in ps]
            raise MappingError(
                "checkpoint parameters left over, with no target parameter to fill:\n"
                + "\n".join(f"  {p.name} {_shape(p.shape)}" for p in names)
                + f"\nname their targets in {map_path} (or drop them), e.g.:\n"
                + "\n".join(f"  {p.name}: null" for p in names[:3])
            )
        t_mod, t_params = t_modules[i]
        s_sig = sorted((p.leaf, p.shape) for p in s_params)
        t_sig = sorted((p.leaf, p.shape) for p in t_params)
        if s_sig != t_sig:
            shapes_only = sorted(p.shape for p in s_params) == sorted(p.shape for p in t_params)
            hint = _hint(s_params, t_params)
            raise MappingError(
                f"cannot pair checkpoint layer {s_mod!r} ({_describe(s_params)}) with target "
                f"layer {t_mod!r} ({_describe(t_params)}), the next ones in order"
                + (": the names differ" if shapes_only else ": shape mismatch")
                + f"; say which goes where in {map_path}, e.g.:\n"
                + hint
            )
        for sp in sorted(s_params, key=lambda p: p.leaf):
            tp = next(p for p in t_params if p.leaf == sp.leaf and p.name not in taken)
            result.pairs.append(
                Pair(sp, tp, "order", _transform(sp), (*sp.rules, *layout_rules(sp, tp), RULE_ORDER))
            )
            taken.add(tp.name)
    if len(t_modules) > len(s_modules):
        names_t = [p for _, ps in t_modules[len(s_modules) :] for p in ps]
        raise MappingError(
            "target parameters no checkpoint parameter fills:\n"
            + "\n".join(f"  {p.name} {_shape(p.shape)}" for p in names_t)
            + f"\nname their sources in {map_path}, e.g.:\n"
            + "\n".join(f"  CHECKPOINT_NAME: {p.name}" for p in names_t[:3])
        )
    order = {s.name: i for i, s in enumerate(sources)}
    result.pairs.sort(key=lambda p: order[p.source.name])
    return result


def _transform(s: SourceParam) -> str:
    return "ones" if s.fixed_gamma else "none"


def _group(params: list[Any]) -> list[tuple[str, list[Any]]]:
    groups: dict[str, list[Any]] = {}
    for p in params:
        groups.setdefault(p.module, []).append(p)
    return list(groups.items())


def _hint(s_params: list[SourceParam], t_params: list[TargetParam]) -> str:
    lines = []
    for sp in s_params:
        fit = next((t for t in t_params if t.shape == sp.shape and t.leaf == sp.leaf), None)
        fit = fit or next((t for t in t_params if t.shape == sp.shape), None)
        lines.append(f"  {sp.name}: {fit.name if fit else 'TARGET_NAME'}")
    return "\n".join(lines)


# -- the mapping file ------------------------------------------------------------------

HEADER = """\
# fwcheat weights mapping: checkpoint parameter -> target parameter.
# Edit a line and pass this file back with --map. `NAME: null` drops a checkpoint
# parameter; `NAME: {target: T, transform: ones}` loads T as ones (fix_gamma).
# Each comment gives the shapes, how the pair was found and the rules applied
# (`fwcheat show RULE` explains one).
"""


def _yaml_key(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z_][\w.:-]*", text) else '"' + text.replace('"', '\\"') + '"'


def dump_mapping(mapping: Mapping, source: str, target: str) -> str:
    """The mapping as an editable YAML text that :func:`load_mapping` reads back."""
    lines = [HEADER, f"source: {_yaml_key(source)}", f"target: {_yaml_key(target)}", "mapping:"]
    for p in mapping.pairs:
        value = (
            _yaml_key(p.target.name)
            if p.transform == "none"
            else f"{{target: {_yaml_key(p.target.name)}, transform: {p.transform}}}"
        )
        note = f"{_shape(p.source.shape)} by {p.how}"
        if p.rules:
            note += "; " + ", ".join(p.rules)
        lines.append(f"  {_yaml_key(p.source.name)}: {value}  # {note}")
    for name in mapping.dropped:
        lines.append(f"  {_yaml_key(name)}: null")
    return "\n".join(lines) + "\n"


def _line_of(text: str, key: str) -> int:
    pattern = re.compile(r"^\s+[\"']?" + re.escape(key) + r"[\"']?\s*:", re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 0


def load_mapping(path: Path) -> dict[str, MapLine]:
    """Read a mapping file; MappingError names the file, the line and the fix."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"{path}: cannot read the mapping file: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise MappingError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if isinstance(data, dict) and "mapping" in data:
        data = data["mapping"]
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MappingError(f"{path}: expected `mapping:` with lines `CHECKPOINT_NAME: TARGET_NAME`")
    found: dict[str, MapLine] = {}
    for key, value in data.items():
        number = _line_of(text, str(key))
        where = f"{path}:{number}"
        transform = "none"
        if isinstance(value, dict):
            unknown = set(value) - {"target", "transform"}
            if unknown:
                raise MappingError(
                    f"{where}: unknown key {sorted(unknown)[0]!r} (fix: use target and transform)"
                )
            transform = str(value.get("transform", "none"))
            value = value.get("target")
            if transform not in TRANSFORMS:
                raise MappingError(
                    f"{where}: unknown transform {transform!r} (fix: one of {', '.join(TRANSFORMS)})"
                )
        if value is not None and not isinstance(value, str):
            raise MappingError(f"{where}: {key}: the target must be a parameter name or null")
        found[str(key)] = MapLine(value, transform, number)
    return found
