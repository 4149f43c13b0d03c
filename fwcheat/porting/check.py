"""`fwcheat check`: does the ported module compute what the source model computes?

Both models are built in their own kernels with the same weights (the
checkpoint converted as ``fwcheat weights convert`` does, or random weights
saved from the source model), fed the same input, and every layer the mapping
pairs is hooked on both sides. The report lists each layer's max absolute and
relative difference in the order the source model ran them, and names the
first layer that diverges; with ``grad`` the gradients of a fixed scalar loss
on every mapped parameter are compared too.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fwcheat.porting.convert import Conversion, match_in, read_user_map
from fwcheat.porting.sides import SOURCE, TARGET, PortingError, Sides, absolute

OUTPUT = "<output>"


@dataclass
class LayerDiff:
    """One pair of layers (or the final output, or a parameter's gradient)."""

    source: str
    target: str
    max_abs: float | None
    max_rel: float | None
    agree: bool
    kind: str = "layer"  # layer, output or grad
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            SOURCE: self.source,
            TARGET: self.target,
            "max_abs": self.max_abs,
            "max_rel": self.max_rel,
            "agree": self.agree,
            "kind": self.kind,
        }
        if self.error:
            found["error"] = self.error
        return found


@dataclass
class CheckReport:
    agree: bool
    layers: list[LayerDiff]
    conversion: Conversion | None
    mode: str
    tolerance: float
    dtype: str = "float32"
    not_hooked: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def first_divergence(self) -> LayerDiff | None:
        return next((d for d in self.layers if not d.agree), None)

    def to_dict(self) -> dict[str, Any]:
        first = self.first_divergence
        return {
            "agree": self.agree,
            "layers": [d.to_dict() for d in self.layers],
            "first_divergence": first.to_dict() if first else None,
            "mode": self.mode,
            "dtype": self.dtype,
            "tolerance": self.tolerance,
            "mapped_parameters": len(self.conversion.mapping.pairs) if self.conversion else 0,
            "not_hooked": self.not_hooked,
            "seconds": round(self.seconds, 3),
        }


def compare(
    source: np.ndarray, target: np.ndarray, tol: float
) -> tuple[float | None, float | None, bool, str]:
    """(max_abs, max_rel, agree, why) of the target's array against the source's.

    max_rel is the largest difference divided by the largest magnitude of the
    source array (float32 rounding grows with the values' scale, not with each
    element's); the arrays agree when max_abs or max_rel is within ``tol``.
    """
    if source.shape != target.shape:
        return None, None, False, f"shape {tuple(source.shape)} vs {tuple(target.shape)}"
    s = source.astype(np.float64)
    t = target.astype(np.float64)
    if s.size == 0:
        return 0.0, 0.0, True, ""
    diff = np.abs(t - s)
    finite = bool(np.isfinite(diff).all())
    max_abs = float(diff.max()) if finite else float("inf")
    scale = float(np.abs(s).max())
    max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else float("inf"))
    agree = finite and (max_abs <= tol or max_rel <= tol)
    return max_abs, max_rel, agree, "" if finite else "not finite"


def make_input(shape: tuple[int, ...] | None, file: str | None) -> np.ndarray:
    if file is not None:
        try:
            x = np.load(file, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise PortingError(f"--input {file}: cannot be read as a .npy array ({exc})") from None
        if not isinstance(x, np.ndarray):
            raise PortingError(f"--input {file}: holds several arrays; give one .npy array")
        return x.astype(np.float32) if x.dtype == np.float64 else x
    if shape is None:
        raise PortingError("give --input-shape N,C,H,W or --input FILE.npy")
    return np.random.RandomState(0).standard_normal(shape).astype(np.float32)


async def check_async(
    source_factory: str,
    target: str,
    *,
    params: str | os.PathLike[str] | None = None,
    input_shape: tuple[int, ...] | None = None,
    input_file: str | None = None,
    train: bool = False,
    grad: bool = False,
    tol: float = 1e-5,
    map_file: str | os.PathLike[str] | None = None,
    pool: Any = None,
    dtype: str = "float32",
) -> CheckReport:
    started = time.perf_counter()
    x = make_input(input_shape, input_file)
    user = read_user_map(map_file)
    async with Sides(pool=pool) as sides:
        inputs = sides.path("input.npz")
        np.savez(inputs, a0=x)
        built = await sides.call(
            SOURCE,
            "build",
            factory=source_factory,
            params=absolute(params) if params else "",
            inputs=inputs,
            workdir=str(sides.workdir),
            cwd=os.getcwd(),
        )
        conversion = await match_in(
            sides, built["params"], target, user, os.fspath(map_file or "MAP.yaml"), None
        )
        pairs = conversion.mapping.modules()
        source_out, target_out = sides.path("source-out.npz"), sides.path("target-out.npz")
        ran_s = await sides.call(
            SOURCE,
            "forward",
            modules=[s for s, _ in pairs],
            inputs=inputs,
            out=source_out,
            train=train,
            grad=grad,
            dtype=dtype,
        )
        grad_pairs = [p for p in conversion.mapping.pairs if p.transform == "none"]
        ran_t = await sides.call(
            TARGET,
            "forward",
            modules=[t for _, t in pairs],
            inputs=inputs,
            out=target_out,
            train=train,
            grad=grad,
            params=[p.target.name for p in grad_pairs],
            dtype=dtype,
        )
        with np.load(source_out) as data:
            s_arrays = [data[f"a{i}"] for i in range(len(data.files))]
        with np.load(target_out) as data:
            t_arrays = [data[f"a{i}"] for i in range(len(data.files))]
    layers = _layers(pairs, ran_s, ran_t, s_arrays, t_arrays, tol)
    if grad and ran_t["failed"] is None:
        layers += _grads(grad_pairs, ran_s, ran_t, s_arrays, t_arrays, tol)
    # Layers with no recorded output: not a child block (a SymbolBlock's layers), or
    # run inside a hybridized graph, where Gluon calls no hooks.
    not_hooked = [s for s, _ in pairs if s not in ran_s["outputs"]]
    report = CheckReport(
        agree=all(d.agree for d in layers),
        layers=layers,
        conversion=conversion,
        mode="train" if train else "eval",
        tolerance=tol,
        dtype=dtype,
        not_hooked=not_hooked,
    )
    report.seconds = time.perf_counter() - started
    return report


def _layers(
    pairs: list[tuple[str, str]],
    ran_s: dict[str, Any],
    ran_t: dict[str, Any],
    s_arrays: list[np.ndarray],
    t_arrays: list[np.ndarray],
    tol: float,
) -> list[LayerDiff]:
    to_target = dict(pairs)
    to_source = {t: s for s, t in pairs}
    t_index = {name: i for i, name in enumerate(ran_t["outputs"])}
    found: list[LayerDiff] = []
    failed = ran_t["failed"]
    for i, key in enumerate(ran_s["outputs"]):
        other = OUTPUT if key == OUTPUT else to_target.get(key, "")
        kind = "output" if key == OUTPUT else "layer"
        if other not in t_index:
            if failed is not None:
                where = failed["module"] or other
                found.append(
                    LayerDiff(
                        to_source.get(where, key),
                        where,
                        None,
                        None,
                        False,
                        kind,
                        f"the target raised {failed['error']}",
                    )
                )
                return found
            found.append(LayerDiff(key, other, None, None, False, kind, "the target never ran this layer"))
            continue
        max_abs, max_rel, agree, why = compare(s_arrays[i], t_arrays[t_index[other]], tol)
        found.append(LayerDiff(key, other, max_abs, max_rel, agree, kind, why))
    return found


def _grads(
    grad_pairs: list[Any],
    ran_s: dict[str, Any],
    ran_t: dict[str, Any],
    s_arrays: list[np.ndarray],
    t_arrays: list[np.ndarray],
    tol: float,
) -> list[LayerDiff]:
    s_base, t_base = len(ran_s["outputs"]), len(ran_t["outputs"])
    s_index = {n: s_base + i for i, n in enumerate(ran_s["grads"])}
    t_index = {n: t_base + i for i, n in enumerate(ran_t["grads"])}
    found = []
    for p in grad_pairs:
        if p.source.name not in s_index:
            continue  # no gradient on the source side (running statistics)
        if p.target.name not in t_index:
            found.append(
                LayerDiff(
                    p.source.name, p.target.name, None, None, False, "grad", "no gradient in the target"
                )
            )
            continue
        max_abs, max_rel, agree, why = compare(
            s_arrays[s_index[p.source.name]], t_arrays[t_index[p.target.name]], tol
        )
        found.append(LayerDiff(p.source.name, p.target.name, max_abs, max_rel, agree, "grad", why))
    return found


def check_models(
    source_factory: str,
    target: str,
    *,
    params: str | os.PathLike[str] | None = None,
    input_shape: tuple[int, ...] | None = None,
    input_file: str | None = None,
    train: bool = False,
    grad: bool = False,
    tol: float = 1e-5,
    map_file: str | os.PathLike[str] | None = None,
    dtype: str = "float32",
) -> CheckReport:
    """Check that ``target`` computes what ``source_factory``'s model computes (see the module docstring).

    ``dtype="float64"`` runs both models in double precision after loading the
    weights, to tell float32 rounding from a real difference.
    Raises :class:`PortingError` for bad input (a checkpoint that cannot be
    read, a factory that fails to import or raises, a mapping that cannot be
    made); a port that computes something else is a report with ``agree`` False.
    """
    from fwcheat.kernels.session import run_sync

    return run_sync(
        check_async(
            source_factory,
            target,
            params=params,
            input_shape=input_shape,
            input_file=input_file,
            train=train,
            grad=grad,
            tol=tol,
            map_file=map_file,
            dtype=dtype,
        )
    )
