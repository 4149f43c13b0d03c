"""The layer and training-object rules of `fwcheat port`: layers, losses, Trainer, data loading."""

from __future__ import annotations

import libcst as cst

from fwcheat.port import rules
from fwcheat.port.base import (
    _UNKNOWN,
    TL,
    RewriterBase,
    S,
    T,
    _dict_codes,
    _literal,
)
from fwcheat.port.rules import ENTRIES


class LayerRules(RewriterBase):
    """``nn.Dense``, ``nn.BatchNorm``, ``rnn.LSTM``, ``loss.*``, ``Trainer``, ``DataLoader``…"""

    def _act(self, original: cst.Call, act_text: str | None, layer: str) -> str:
        if act_text is None or act_text == "None":
            return layer
        act = _literal(cst.parse_expression(act_text))
        module = rules.ACTIVATIONS.get(act) if isinstance(act, str) else None
        if module is None:
            self.flag(
                original,
                "activation",
                "activation=",
                ENTRIES["activation"],
                f"activation {act_text}: no rule",
            )
            return layer
        self.done(original, "activation", "activation=", ENTRIES["activation"], "a separate module")
        if layer.startswith("nn.Sequential(") and layer.endswith(")"):
            return f"{layer[:-1]}, {module})"
        return f"nn.Sequential({layer}, {module})"

    def _layer(
        self, original: cst.Call, updated: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        self.needs_nn = True
        kw = dict(kw)
        kw.pop("prefix", None)
        shared = kw.pop("params", None)
        if shared is not None:
            self.flag(
                original,
                "params",
                f"{shown}(params=)",
                ENTRIES["params_get"],
                f"params={shared} shared parameters in {S}: after building, assign the shared tensor "
                "(e.g. self.decoder.weight = self.encoder.weight)",
            )
        if name in ("Sequential", "HybridSequential"):
            self.done(original, "sequential", shown, ENTRIES["sequential"])
            return self.expr("nn.Sequential()")
        if name in rules.LAYERS:
            return self._dense_conv(original, name, shown, pos, kw)
        if name == "BatchNorm":
            momentum = kw.pop("momentum", None)
            eps = kw.pop("epsilon", None)
            channels = kw.pop("in_channels", None)
            axis = kw.pop("axis", "1")
            seen = self._recorded(original, name) if not channels else None
            dims_seen = None
            if seen is not None and axis == "1" and len(seen) >= 2:
                channels = str(seen[1])
                dims_seen = {2: "1d", 3: "1d", 4: "2d", 5: "3d"}.get(len(seen))
            out: dict[str, str] = {}
            if eps is not None:
                out["eps"] = eps
            if momentum is not None:
                value = _literal(cst.parse_expression(momentum))
                out["momentum"] = (
                    f"{round(1 - value, 10)!r}" if isinstance(value, float) else f"1 - ({momentum})"
                )
            for key in ("center", "scale"):
                if kw.pop(key, "True") != "True":
                    out["affine"] = "False"
            dims = "2d" if self.uses_conv else "1d"
            if seen is not None and dims_seen:
                dims = dims_seen
            if axis not in ("1",):
                self.flag(
                    original,
                    "batchnorm",
                    shown,
                    ENTRIES["batchnorm"],
                    f"axis={axis}: {TL} normalises dim 1; permute",
                )
            cls = f"nn.BatchNorm{dims}" if channels else f"nn.LazyBatchNorm{dims}"
            args = self._join([channels] if channels else [], out)
            self.done(original, "batchnorm", shown, ENTRIES["batchnorm"], f"momentum is 1 - {S}'s")
            if kw:
                self.flag(
                    original,
                    "batchnorm",
                    shown,
                    ENTRIES["batchnorm"],
                    f"arguments {', '.join(kw)} not carried",
                )
            return self.expr(f"{cls}({args})")
        if name == "Dropout":
            rate = kw.pop("rate", pos[0] if pos else "0.5")
            self.done(original, "dropout", shown, ENTRIES["dropout"], "rate -> p")
            return self.expr(f"nn.Dropout(p={rate})")
        if name == "Activation":
            act = _literal(cst.parse_expression(kw.get("activation", pos[0] if pos else "None")))
            module = rules.ACTIVATIONS.get(act) if isinstance(act, str) else None
            if module is not None:
                self.done(original, "activation", shown, ENTRIES["activation"])
                return self.expr(module)
        if name == "LeakyReLU":
            alpha = kw.get("alpha", pos[0] if pos else "0.01")
            self.done(original, "leaky", shown, ENTRIES["leaky"])
            return self.expr(f"nn.LeakyReLU({alpha})")
        if name == "Flatten":
            self.done(original, "flatten", shown, ENTRIES["flatten"])
            return self.expr("nn.Flatten()")
        if name in rules.POOLS:
            out = {}
            size = kw.pop("pool_size", pos[0] if pos else "2")
            out["kernel_size"] = size
            strides = kw.pop("strides", pos[1] if len(pos) > 1 else None)
            if strides not in (None, "None"):
                out["stride"] = strides
            padding = kw.pop("padding", pos[2] if len(pos) > 2 else None)
            if padding is not None:
                out["padding"] = padding
            if kw.pop("ceil_mode", "False") == "True":
                out["ceil_mode"] = "True"
            if name.startswith("Avg") and kw.pop("count_include_pad", "True") == "False":
                out["count_include_pad"] = "False"
            kw.pop("layout", None)
            self.done(original, "pooling", shown, ENTRIES["pooling"], "pool_size/strides renamed")
            return self.expr(f"{rules.POOLS[name]}({self._join([], out)})")
        if name in rules.GLOBAL_POOLS:
            self.done(original, "pooling", shown, ENTRIES["pooling"])
            return self.expr(rules.GLOBAL_POOLS[name])
        if name == "Embedding":
            num = kw.pop("input_dim", pos[0] if pos else None)
            dim = kw.pop("output_dim", pos[1] if len(pos) > 1 else None)
            self.done(original, "embedding", shown, ENTRIES["embedding"])
            self._not_carried(original, shown, ENTRIES["embedding"], kw)
            return self.expr(f"nn.Embedding({num}, {dim})")
        if name in ("LSTM", "GRU", "RNN"):
            return self._rnn(original, updated, name, shown, pos, kw)
        if name == "PixelShuffle2D":
            factor = kw.pop("factor", pos[0] if pos else None)
            value = _literal(cst.parse_expression(factor)) if factor else None
            if isinstance(value, tuple) and len(set(value)) == 1 and isinstance(value[0], int):
                factor, value = str(value[0]), value[0]
            if factor is not None and not kw and not isinstance(value, tuple):
                # Same channel order (CRD) as Gluon's PixelShuffle2D; only one factor for both axes.
                self.done(original, "pixel_shuffle", shown, ENTRIES["pixel_shuffle"], "one int factor")
                return self.expr(f"nn.PixelShuffle({factor})")
            self.flag(
                original,
                "pixel_shuffle",
                shown,
                ENTRIES["pixel_shuffle"],
                f"{TL}'s nn.PixelShuffle takes one int factor for both axes; reshape and permute by hand",
            )
            return updated
        self.flag(original, "unmapped", shown, "", f"{shown}: no rule; port by hand")
        return updated

    def _dense_conv(
        self, original: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        plain, lazy, entry = rules.LAYERS[name]
        act = kw.pop("activation", None)
        out: dict[str, str] = {}
        if name == "Dense":
            units = kw.pop("units", pos[0] if pos else "")
            flatten = kw.pop("flatten", "True")
            inputs = kw.pop("in_units", pos[3] if len(pos) > 3 else None)
            if pos[1:2]:
                act = pos[1]
            if kw.pop("use_bias", "True") != "True":
                out["bias"] = "False"
            for key in ("dtype", "weight_initializer", "bias_initializer"):
                if key in kw:
                    self.flag(original, "dense", shown, entry, f"{key}= not carried")
                    kw.pop(key)
            seen = self._recorded(original, name) if not inputs else None
            if seen is not None and len(seen) >= 2:
                size = 1
                for dim in seen[1:] if flatten == "True" else seen[-1:]:
                    size *= dim
                inputs = str(size)
                if flatten == "True" and len(seen) == 2:
                    flatten = "False"  # already (batch, features): no Flatten needed
            args = [inputs, units] if inputs else [units]
            layer = f"{plain if inputs else lazy}({self._join(args, out)})"
            if flatten == "True":
                layer = f"nn.Sequential(nn.Flatten(), {layer})"
                self.done(original, "dense", shown, ENTRIES["flatten"], "flatten=True: Flatten + Linear")
            else:
                self.done(original, "dense", shown, entry)
            return self.expr(self._act(original, act, layer))
        order: tuple[str, ...] = ("channels", "kernel_size", "strides", "padding")
        order += ("output_padding", "dilation", "groups") if "Transpose" in name else ("dilation", "groups")
        for i, value in enumerate(pos[: len(order)]):
            kw.setdefault(order[i], value)
        channels = kw.pop("channels", "")
        out["kernel_size"] = kw.pop("kernel_size", "1")
        renames = {
            "strides": "stride",
            "padding": "padding",
            "dilation": "dilation",
            "groups": "groups",
            "output_padding": "output_padding",
        }
        for old, new in renames.items():
            if old in kw:
                out[new] = kw.pop(old)
        if kw.pop("use_bias", "True") != "True":
            out["bias"] = "False"
        inputs = kw.pop("in_channels", None)
        seen = self._recorded(original, name) if not inputs or inputs == "0" else None
        if seen is not None and len(seen) >= 2:
            inputs = str(seen[1])
        kw.pop("layout", None) if kw.get("layout") in ("'NCHW'", "'NCW'", "'NCDHW'") else None
        if kw:
            self.flag(original, "conv", shown, entry, f"arguments {', '.join(kw)} not carried")
        args = [inputs, channels] if inputs and inputs != "0" else [channels]
        layer = f"{plain if len(args) == 2 else lazy}({self._join(args, out)})"
        self.done(original, "conv", shown, entry, "channels/strides renamed")
        return self.expr(self._act(original, act, layer))

    def _rnn(
        self, original: cst.Call, updated: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        order = (
            ("hidden_size", "num_layers", "activation", "layout")
            if name == "RNN"
            else ("hidden_size", "num_layers", "layout")
        )
        for i, value in enumerate(pos[: len(order)]):
            kw.setdefault(order[i], value)
        hidden = kw.pop("hidden_size", None)
        layers = kw.pop("num_layers", "1")
        inputs = kw.pop("input_size", None)
        out = {"num_layers": layers}
        layout = kw.pop("layout", "'TNC'")
        if layout.strip("'\"") == "NTC":
            out["batch_first"] = "True"
        for key in ("dropout", "bidirectional"):
            if key in kw:
                out[key] = kw.pop(key)
        if name == "RNN":  # Gluon's default is relu, PyTorch's tanh
            out["nonlinearity"] = kw.pop("activation", "'relu'")
        if not inputs or inputs == "0":
            self.flag(
                original,
                "rnn",
                shown,
                ENTRIES["lstm"],
                f"input_size unknown: {TL} needs it (pass input_size=)",
            )
            return updated
        self.done(original, "rnn", shown, ENTRIES["lstm"], "gates in the same order; (h, c) a tuple")
        if kw:
            self.flag(original, "rnn", shown, ENTRIES["lstm"], f"arguments {', '.join(kw)} not carried")
        return self.expr(f"nn.{name}({inputs}, {hidden}, {self._join([], out)})")

    def _loss(
        self, original: cst.Call, updated: cst.Call, name: str, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        target = rules.LOSSES.get(name)
        if target is None:
            self.flag(original, "loss", shown, ENTRIES["loss"], f"{shown}: no rule; port by hand")
            return updated
        cls, entry = target
        if name.startswith("Softmax"):
            if kw.pop("from_logits", "False") == "True":
                cls = "nn.NLLLoss"
                self.done(original, "loss", shown, entry, "from_logits=True: inputs are log-probabilities")
            if kw.pop("sparse_label", "True") == "False":
                self.flag(
                    original, "loss", shown, entry, "sparse_label=False: targets are probabilities (float)"
                )
            kw.pop("axis", None)
        if name.startswith("Sigmoid") and kw.pop("from_sigmoid", "False") == "True":
            cls = "nn.BCELoss"
        if name == "L2Loss":
            self.flag(
                original,
                "loss",
                shown,
                entry,
                f"{S}'s L2Loss is 0.5 * squared error, averaged over all but the batch axis: multiply by 0.5",
            )
        elif name == "L1Loss" or name.startswith("Sigmoid"):
            self.flag(
                original,
                "loss",
                shown,
                entry,
                f"{S} averages over every axis but the batch one: add .mean(dim=...) for >1-D outputs",
            )
        else:
            self.done(original, "loss", shown, entry, "reduction='none' (one loss per sample), int64 labels")
        if kw.pop("weight", None) is not None:
            self.flag(original, "loss", shown, entry, f"weight= scales the loss in {S}; not carried")
        if cls == "nn.CrossEntropyLoss":
            return self.expr(
                "lambda pred, label: nn.functional.cross_entropy(pred, label.long(), reduction='none')"
            )
        return self.expr(f"{cls}(reduction='none')")

    def _trainer(
        self, original: cst.Call, updated: cst.Call, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        params = pos[0] if pos else kw.get("params", "")
        opt_text = pos[1] if len(pos) > 1 else kw.get("optimizer")
        hyper_text = pos[2] if len(pos) > 2 else kw.get("optimizer_params")
        opt = _literal(cst.parse_expression(opt_text)) if opt_text else _UNKNOWN
        hyper = _dict_codes(hyper_text) if hyper_text else {}
        if not isinstance(opt, str) or opt.lower() not in rules.OPTIMIZERS or hyper is None:
            self.flag(
                original,
                "trainer",
                shown,
                ENTRIES["trainer"],
                "optimizer or its settings not literal: map by hand",
            )
            return updated
        cls, renames = rules.OPTIMIZERS[opt.lower()]
        out = {}
        if "learning_rate" not in hyper and opt.lower() in ("sgd", "nag"):
            out["lr"] = "0.01"
        betas = (hyper.pop("beta1", None), hyper.pop("beta2", None))
        for key, value in hyper.items():
            new = renames.get(key)
            if not new:
                self.flag(original, "trainer", shown, ENTRIES["trainer"], f"{key} not mapped")
                continue
            out[new] = value
        if any(b is not None for b in betas):
            out["betas"] = (
                f"({0.9 if betas[0] is None else betas[0]}, {0.999 if betas[1] is None else betas[1]})"
            )
        if opt.lower() == "nag":
            out["nesterov"] = "True"
        if opt.lower() == "rmsprop":
            out.setdefault("alpha", "0.9")
            out.setdefault("eps", "1e-08")
        self.done(original, "trainer", shown, ENTRIES["trainer"], "hyperparameters renamed")
        return self.expr(f"{cls}({params}, {self._join([], out)})")

    def _dataloader(
        self, original: cst.Call, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        kw = dict(kw)
        last = kw.pop("last_batch", None)
        if last is not None:
            value = _literal(cst.parse_expression(last))
            if value == "discard":
                kw["drop_last"] = "True"
            elif value == "rollover":
                self.flag(
                    original,
                    "dataloader",
                    shown,
                    ENTRIES["dataloader"],
                    "last_batch='rollover' has no counterpart",
                )
        if "batchify_fn" in kw:
            kw["collate_fn"] = kw.pop("batchify_fn")
        if "thread_pool" in kw:
            kw.pop("thread_pool")
        self.done(original, "dataloader", shown, ENTRIES["dataloader"])
        return self.expr(f"{T}.utils.data.DataLoader({self._join(pos, kw)})")

    def _vision_dataset(
        self, original: cst.Call, shown: str, name: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        kw = dict(kw)
        if not pos:
            kw.setdefault("root", "'data'")
        kw["download"] = "True"
        self.flag(
            original,
            "dataset",
            shown,
            ENTRIES["transform_first"],
            f"torchvision's dataset yields PIL images ({S}'s: HWC uint8 arrays): add "
            "transform=torchvision.transforms.ToTensor() (CHW, scaled to [0, 1]) or an equivalent",
        )
        return self.expr(f"torchvision.datasets.{name}({self._join(pos, kw)})")

    def _split_and_load(
        self, original: cst.Call, updated: cst.Call, shown: str, pos: list[str], kw: dict[str, str]
    ) -> cst.BaseExpression:
        names = ("data", "ctx_list", "batch_axis", "even_split")
        args = dict(zip(names, pos, strict=False))
        args.update({("ctx_list" if k == "device_list" else k): v for k, v in kw.items()})
        if "data" not in args or "ctx_list" not in args or set(args) - set(names):
            self.flag(
                original, "split_and_load", shown, "split-and-load", "arguments not understood: port by hand"
            )
            return updated
        data, devices, axis = args["data"], args["ctx_list"], args.get("batch_axis", "0")
        self.done(original, "split_and_load", shown, "split-and-load", "one slice of the batch per device")
        parts = f"{T}.tensor_split({data}, len({devices}), dim={axis})"
        return self.expr(f"[part.to(d) for part, d in zip({parts}, {devices})]")
