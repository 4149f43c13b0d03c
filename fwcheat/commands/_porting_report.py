"""Plain-text reports of `fwcheat weights convert` and `fwcheat check`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fwcheat.frameworks import DEFAULT_PAIR, label

if TYPE_CHECKING:
    from fwcheat.porting.check import CheckReport
    from fwcheat.porting.convert import Conversion


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + (",)" if len(shape) == 1 else ")")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2e}"


def conversion_lines(result: Conversion) -> list[str]:
    lines = [f"read {result.checkpoint} ({result.form} names; see weights-rule-checkpoint-forms)"]
    if result.symbol:
        lines.append(f"symbol {result.symbol}")
    width = max((len(p.source.name) for p in result.mapping.pairs), default=0)
    twidth = max((len(p.target.name) for p in result.mapping.pairs), default=0)
    for p in result.mapping.pairs:
        extra = f" [{p.transform}]" if p.transform != "none" else ""
        lines.append(
            f"  {p.source.name:<{width}} {_shape(p.source.shape):<16} -> {p.target.name:<{twidth}}"
            f" by {p.how:<5}{extra} {', '.join(p.rules)}".rstrip()
        )
    for name in result.mapping.dropped:
        lines.append(f"  {name} dropped (--map)")
    if result.mapping.kept:
        lines.append("kept from the target (no checkpoint value): " + ", ".join(result.mapping.kept))
    written = ", ".join(result.written)
    lines.append(
        f"{len(result.mapping.pairs)} parameters mapped; wrote {written} ({result.seconds:.1f} s)"
        if written
        else f"{len(result.mapping.pairs)} parameters mapped"
    )
    return lines


def print_conversion(result: Conversion) -> None:
    print("\n".join(conversion_lines(result)))


def check_lines(report: CheckReport) -> list[str]:
    source, target = (label(k) for k in DEFAULT_PAIR)
    rows = [(f"{d.source} -> {d.target}", d) for d in report.layers]
    header = f"layer ({source} -> {target})"
    width = max([len(header), *(len(r) for r, _ in rows)])
    lines = [f"{header:<{width}}  {'max abs':>9}  {'max rel':>9}"]
    for text, d in rows:
        verdict = "ok" if d.agree else "DIFFERS"
        note = f" ({d.error})" if d.error else ""
        kind = " [grad]" if d.kind == "grad" else ""
        lines.append(f"{text:<{width}}  {_num(d.max_abs):>9}  {_num(d.max_rel):>9}  {verdict}{kind}{note}")
    if report.not_hooked:
        lines.append(
            "no output recorded for (not a child block, or inside a hybridized graph): "
            + ", ".join(report.not_hooked)
        )
    first = report.first_divergence
    if first is not None:
        lines.append(
            f"first divergence: {first.source} -> {first.target}: max abs {_num(first.max_abs)}, "
            f"max rel {_num(first.max_rel)} (tolerance {report.tolerance:g})"
            + (f": {first.error}" if first.error else "")
        )
        if first.kind == "grad" and report.mode == "eval":
            lines.append(
                f"note: {source} 1.9.1's oneDNN max pooling gives wrong gradients when recorded in "
                "eval mode; compare gradients with --train --grad or --dtype float64"
            )
    mapped = len(report.conversion.mapping.pairs) if report.conversion else 0
    lines.append(
        f"agree: {'yes' if report.agree else 'no'} ({report.mode} mode, {report.dtype}, "
        f"{mapped} parameters mapped, "
        f"{report.seconds:.1f} s)"
    )
    return lines


def print_check(report: CheckReport) -> None:
    print("\n".join(check_lines(report)))
