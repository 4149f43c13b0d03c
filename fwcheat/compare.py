"""Do the frameworks' results agree with the reference? Shapes, dtypes and values.

Values arrive from the kernels as NumPy arrays (or as the reason they could
not be converted). NumPy is imported only when values are compared: fwcheat
itself does not depend on it, the kernels do. The answer is a :class:`Verdict`, plain data that the CLI
and the TUI render; every odd case (missing variable, text instead of numbers,
different shapes) is a verdict of its own, never an exception.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from fwcheat import frameworks
from fwcheat.kernels.base import Fetched

if TYPE_CHECKING:
    import numpy as np

    from fwcheat.knowledge.model import Entry

__all__ = ["Agreement", "Fetched", "Verdict", "compare_arrays", "compare_entry", "compare_values", "overall"]

DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-6


class Agreement(str, enum.Enum):
    AGREE = "agree"
    DIFFER = "differ"
    SHAPE_MISMATCH = "shape mismatch"
    MISSING = "missing"
    NON_NUMERIC = "non-numeric"
    NOT_RUN = "not run"


@dataclass(frozen=True)
class Verdict:
    """How two values compare."""

    agreement: Agreement
    name: str
    message: str
    shapes: tuple[tuple[int, ...] | None, tuple[int, ...] | None] = (None, None)
    dtypes: tuple[str | None, str | None] = (None, None)
    max_abs_diff: float | None = None
    max_rel_diff: float | None = None
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    #: (reference, framework) compared, as framework keys.
    frameworks: tuple[str, str] = ("", "")

    @property
    def ok(self) -> bool:
        return self.agreement is Agreement.AGREE

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement.value,
            "ok": self.ok,
            "name": self.name,
            "message": self.message,
            "shapes": [None if s is None else list(s) for s in self.shapes],
            "dtypes": list(self.dtypes),
            "max_abs_diff": self.max_abs_diff,
            "max_rel_diff": self.max_rel_diff,
            "rtol": self.rtol,
            "atol": self.atol,
            "frameworks": list(self.frameworks),
        }


def compare_values(
    name: str,
    left: Fetched,
    right: Fetched,
    labels: tuple[str, str] = ("reference", "other"),
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> Verdict:
    """Compare two fetched values of the variable ``name``."""
    for side, label in zip((left, right), labels, strict=True):
        if side.array is None:
            agreement = {
                "missing": Agreement.MISSING,
                "non-numeric": Agreement.NON_NUMERIC,
            }.get(side.error, Agreement.NOT_RUN)
            what = {
                Agreement.MISSING: f"{label} did not define {name!r}",
                Agreement.NON_NUMERIC: f"{label}'s {name!r} is not numeric"
                + (f" ({side.type_name}: {side.message})" if side.type_name else ""),
                Agreement.NOT_RUN: f"{label}'s {name!r} could not be fetched"
                + (f": {side.message}" if side.message else ""),
            }[agreement]
            return Verdict(agreement, name, what, rtol=rtol, atol=atol)
    assert left.array is not None and right.array is not None
    return compare_arrays(name, left.array, right.array, labels, rtol, atol)


def compare_entry(entry: Entry, fetched: Mapping[str, Fetched | None]) -> dict[str, Verdict]:
    """A verdict for each framework that ran, on the entry's ``compare`` variable.

    Each framework's value is compared with the reference framework's
    (:data:`fwcheat.frameworks.REFERENCE` where the entry has it, else the
    first in table order). A framework whose value was not fetched (its run
    failed; that failure is reported already) gets no verdict, and none at all
    when the reference was not fetched or the entry names no variable.
    """
    if not entry.compare:
        return {}
    present = [fw for fw in frameworks.FRAMEWORKS if fw in fetched]
    if len(present) < 2:
        return {}
    reference = frameworks.REFERENCE if frameworks.REFERENCE in present else present[0]
    base = fetched[reference]
    if base is None:
        return {}
    tolerance = entry.tolerance
    verdicts: dict[str, Verdict] = {}
    for fw in present:
        value = fetched[fw]
        if fw == reference or value is None:
            continue
        verdict = compare_values(
            entry.compare,
            base,
            value,
            (frameworks.label(reference), frameworks.label(fw)),
            rtol=tolerance.rtol if tolerance else DEFAULT_RTOL,
            atol=tolerance.atol if tolerance else DEFAULT_ATOL,
        )
        verdicts[fw] = replace(verdict, frameworks=(reference, fw))
    return verdicts


def overall(verdicts: Mapping[str, Verdict]) -> Verdict | None:
    """The verdict to show in one line: the first disagreement, else the first agreement."""
    for verdict in verdicts.values():
        if not verdict.ok:
            return verdict
    return next(iter(verdicts.values()), None)


def compare_arrays(
    name: str,
    a: np.ndarray,
    b: np.ndarray,
    labels: tuple[str, str] = ("reference", "other"),
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> Verdict:
    """Compare two arrays as ``numpy.allclose(a, b, rtol, atol)`` would."""
    import numpy as np

    shapes = (tuple(a.shape), tuple(b.shape))
    dtypes = (str(a.dtype), str(b.dtype))
    common = {"shapes": shapes, "dtypes": dtypes, "rtol": rtol, "atol": atol}
    if shapes[0] != shapes[1]:
        return Verdict(
            Agreement.SHAPE_MISMATCH,
            name,
            f"{name!r} has shape {shapes[0]} in {labels[0]} but {shapes[1]} in {labels[1]}",
            **common,  # type: ignore[arg-type]
        )
    if a.size == 0:
        return Verdict(Agreement.AGREE, name, f"{name!r} is empty in both", **common)  # type: ignore[arg-type]
    x = a.astype(np.complex128 if np.iscomplexobj(a) or np.iscomplexobj(b) else np.float64)
    y = b.astype(x.dtype)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        # Equal values (equal infinities, NaN facing NaN) count as no difference;
        # any other non-finite pair is infinitely far apart.
        exact = (x == y) | (np.isnan(x) & np.isnan(y))
        finite = np.isfinite(x) & np.isfinite(y)
        diff = np.where(exact, 0.0, np.where(finite, np.abs(x - y), np.inf))
        scale = np.abs(y)
        rel = np.where(
            exact, 0.0, np.where(finite & (scale > 0), diff / np.where(scale > 0, scale, 1.0), np.inf)
        )
        close = bool(np.all(exact | (finite & (diff <= atol + rtol * scale))))
    max_abs = float(np.max(diff))
    max_rel = float(np.max(rel))
    note = "" if dtypes[0] == dtypes[1] else f" (dtypes {dtypes[0]} vs {dtypes[1]})"
    if close:
        message = f"{name!r} agrees: max abs diff {max_abs:.3g}, max rel diff {max_rel:.3g}{note}"
        agreement = Agreement.AGREE
    else:
        message = (
            f"{name!r} differs: max abs diff {max_abs:.3g}, max rel diff {max_rel:.3g} "
            f"(rtol {rtol:g}, atol {atol:g}){note}"
        )
        agreement = Agreement.DIFFER
    return Verdict(
        agreement,
        name,
        message,
        shapes,
        dtypes,
        max_abs,
        max_rel,
        rtol,
        atol,
    )


def weak_value(name: str, fetched: Fetched, label: str) -> str:
    """Why a fetched ``compare`` value proves little ('' when it is a real result).

    A Python ``bool`` or ``None``, or a single True/False (a 0-d boolean
    array), agrees across frameworks whenever both snippets reach the same
    yes/no, whatever numbers produced it.
    """
    kind = fetched.type_name
    if kind == "builtins.NoneType":
        return f"{label}'s {name!r} is None"
    if kind == "builtins.bool":
        return f"{label}'s {name!r} is a Python bool; compare the values it was computed from"
    array = fetched.array
    if array is not None and array.dtype.kind == "b" and array.ndim == 0:
        return f"{label}'s {name!r} is a single True/False ({kind}); compare the values it was computed from"
    return ""
