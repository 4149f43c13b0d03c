"""The operator rules of `fwcheat port`: ``F.*`` / ``nd.*`` calls, reshape codes, random draws."""

from __future__ import annotations

import libcst as cst

from fwcheat.port import rules
from fwcheat.port.base import (
    RewriterBase,
    S,
    T,
    _chain,
    _flatten_form,
    _literal,
    _shape_items,
)
from fwcheat.port.rules import ENTRIES


class OpRules(RewriterBase):
    """``F.concat``, ``nd.reshape``, ``nd.random.uniform``… (tables in :mod:`fwcheat.port.rules`)."""

    def _op(
        self, original: cst.Call, updated: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        op = rules.OPS.get(name)
        if op is not None:
            renames = dict(op.renames)
            kw = {renames.get(k, k): v for k, v in kw.items()}
            if name in ("max", "min") and "dim" not in kw and len(pos) < 2:
                target = f"{T}.max" if name == "max" else f"{T}.min"
            else:
                target = op.target
            if name == "flatten":
                pos = [*pos, "1"]
            self.done(original, "operator", shown, op.entry)
            return self.expr(f"{target}({self._join(pos, kw)})")
        x = pos[0] if pos else kw.pop("data", "")
        if name == "waitall":
            return updated  # the statement is dropped (see _statement_call)
        if name == "array":
            kw = self._device_kw(kw)
            kw.setdefault("dtype", f"{T}.float32")
            if kw["dtype"] in ("'float32'", '"float32"', "np.float32"):
                kw["dtype"] = f"{T}.float32"
            self.done(original, "array", shown, ENTRIES["array"], f"{S} arrays default to float32")
            return self.expr(f"{T}.tensor({self._join(pos, kw)})")
        if name in ("zeros", "ones", "full", "arange", "empty"):
            kw = self._device_kw(kw)
            if "dtype" in kw and kw["dtype"].strip("'\"") in (
                "float32",
                "float64",
                "int32",
                "int64",
                "uint8",
            ):
                kw["dtype"] = f"{T}." + kw["dtype"].strip("'\"")
            if name == "full" and "val" in kw:
                kw["fill_value"] = kw.pop("val")
            if name == "arange" and "stop" in kw:
                kw["end"] = kw.pop("stop")
            self.done(original, "creation", shown, ENTRIES["zeros"])
            return self.expr(f"{T}.{name}({self._join(pos, kw)})")
        if name in ("concat", "Concat"):
            dim = kw.pop("dim", None) or "1"
            self.done(original, "concat", shown, ENTRIES["concat"], f"{S}'s default axis is 1")
            return self.expr(f"{T}.cat([{', '.join(pos)}], dim={dim})")
        if name == "stack":
            dim = kw.pop("axis", "") or "0"
            self.done(original, "stack", shown, ENTRIES["stack"])
            return self.expr(f"{T}.stack([{', '.join(pos)}], dim={dim})")
        if name in ("dot",):
            self.done(original, "dot", shown, ENTRIES["dot"], "matmul is nd.dot for 1-D and 2-D inputs")
            if kw.get("transpose_b") == "True":
                return self.expr(f"{T}.matmul({pos[0]}, {pos[1]}.t())")
            return self.expr(f"{T}.matmul({self._join(pos, kw)})")
        if name == "expand_dims":
            axis = kw.get("axis", pos[1] if len(pos) > 1 else "0")
            self.done(original, "expand_dims", shown, ENTRIES["expand_dims"])
            return self.expr(f"{T}.unsqueeze({x}, {axis})")
        if name == "slice_axis":
            axis, begin, end = (
                kw.get(k, pos[i + 1] if len(pos) > i + 1 else "None")
                for i, k in enumerate(("axis", "begin", "end"))
            )
            if end == "None":
                self.done(original, "slice_axis", shown, ENTRIES["slice_axis"])
                return self.expr(f"{T}.narrow({x}, {axis}, {begin}, {x}.shape[{axis}] - ({begin}))")
            self.done(original, "slice_axis", shown, ENTRIES["slice_axis"])
            return self.expr(f"{T}.narrow({x}, {axis}, {begin}, ({end}) - ({begin}))")
        if name == "broadcast_to":
            shape = kw.get("shape", pos[1] if len(pos) > 1 else "")
            self.done(original, "broadcast_to", shown, ENTRIES["broadcast_to"])
            return self.expr(f"{x}.expand({shape})")
        if name in ("transpose",):
            axes = kw.get("axes", pos[1] if len(pos) > 1 else None)
            self.done(original, "transpose", shown, ENTRIES["transpose"])
            if axes is None:
                return self.expr(f"{x}.permute(*reversed(range({x}.dim())))")
            return self.expr(f"{x}.permute({axes})")
        if name == "swapaxes":
            self.done(original, "transpose", shown, ENTRIES["transpose"])
            return self.expr(f"{T}.transpose({self._join(pos, kw)})")
        if name in ("reshape", "Reshape"):
            shape_text = kw.get("shape", pos[1] if len(pos) > 1 else None)
            return self._reshape(original, shown, x, shape_text)
        if name == "Activation":
            act = _literal(cst.parse_expression(kw.get("act_type", pos[1] if len(pos) > 1 else "None")))
            if isinstance(act, str) and act in ("relu", "sigmoid", "tanh"):
                self.done(original, "activation", shown, ENTRIES["activation"])
                return self.expr(f"{T}.{act}({x})")
            if act == "softrelu":
                self.done(original, "activation", shown, ENTRIES["activation"])
                return self.expr(f"{T}.nn.functional.softplus({x})")
        if name == "LeakyReLU":
            act = _literal(cst.parse_expression(kw.get("act_type", "'leaky'")))
            if act == "leaky":
                self.done(original, "leaky", shown, ENTRIES["leaky"])
                return self.expr(f"{T}.nn.functional.leaky_relu({x}, {kw.get('slope', '0.25')})")
        if name == "Dropout":
            p = kw.get("p", pos[1] if len(pos) > 1 else "0.5")
            self.done(original, "dropout", shown, ENTRIES["dropout"])
            return self.expr(f"{T}.nn.functional.dropout({x}, p={p}, training=self.training)")
        self.flag(original, "unmapped", shown, "", f"{shown}: no rule; port by hand")
        return updated

    def _reshape(self, original: cst.Call, shown: str, x: str, shape_text: str | None) -> cst.BaseExpression:
        shape = _shape_items(shape_text) if shape_text else None
        if shape is None:
            if shape_text is not None:
                self.flag(
                    original,
                    "reshape",
                    shown,
                    ENTRIES["reshape"],
                    f"the shape is not written out: {S}'s codes 0, -2, -3, -4 mean "
                    "copy/rest/merge/split there",
                )
                return self.expr(f"{x}.reshape({shape_text})")
            self.flag(original, "reshape", shown, ENTRIES["reshape"], "reshape without a shape")
            return self.expr(f"{x}.reshape(-1)")
        out: list[str] = []
        src = 0
        simple = _chain(cst.parse_expression(x)) is not None
        if not simple:
            flat = _flatten_form(shape) if all(isinstance(c, int) for c in shape) else None
            if flat is not None:
                self.done(original, "reshape", shown, ENTRIES["reshape"], "special codes as flatten()")
                return self.expr(f"{x}.flatten({flat})")
        i = 0
        while i < len(shape):
            code = shape[i]
            if isinstance(code, str):  # a size computed at run time (taken as a size, not a code)
                out.append(code)
                src += 1
            elif code > 0 or code == -1:
                out.append(str(code))
                src += 1
            elif code == 0 and simple:
                out.append(f"{x}.shape[{src}]")
                src += 1
            elif code == -3 and simple:
                out.append(f"{x}.shape[{src}] * {x}.shape[{src + 1}]")
                src += 2
            elif code == -2 and simple and i == len(shape) - 1:
                out.append(f"*{x}.shape[{src}:]")
            else:
                self.flag(
                    original,
                    "reshape",
                    shown,
                    ENTRIES["reshape"],
                    f"reshape code {code} left for a hand port",
                )
                return self.expr(f"{x}.reshape({shape_text})")
            i += 1
        self.done(original, "reshape", shown, ENTRIES["reshape"], "special codes expanded")
        inner = ", ".join(out) + ("," if len(out) == 1 and not out[0].startswith("*") else "")
        return self.expr(f"{x}.reshape(({inner}))")

    def _random(
        self, original: cst.Call, updated: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        kw = self._device_kw(kw)
        if name == "uniform":
            low, high, shape = (
                kw.pop(k, pos[i] if len(pos) > i else d)
                for i, (k, d) in enumerate((("low", "0"), ("high", "1"), ("shape", "(1,)")))
            )
            extra = "".join(f", {k}={v}" for k, v in kw.items())
            self.done(original, "random", shown, ENTRIES["random"])
            return self.expr(f"{T}.empty({shape}{extra}).uniform_({low}, {high})")
        if name == "normal":
            loc, scale, shape = (
                kw.pop(k, pos[i] if len(pos) > i else d)
                for i, (k, d) in enumerate((("loc", "0"), ("scale", "1"), ("shape", "(1,)")))
            )
            extra = "".join(f", {k}={v}" for k, v in kw.items())
            self.done(original, "random", shown, ENTRIES["normal"])
            return self.expr(f"{T}.empty({shape}{extra}).normal_({loc}, {scale})")
        self.flag(original, "unmapped", shown, "", f"{shown}: no rule; port by hand")
        return updated
