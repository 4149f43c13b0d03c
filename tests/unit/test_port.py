"""`fwcheat port`: the rules one by one, files it must leave alone, bad input, the CLI and its report."""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fwcheat.cli import main
from fwcheat.port import rules
from fwcheat.port.rewrite import port_code

ROOT = Path(__file__).resolve().parents[2]
HEAD = "import mxnet as mx\nfrom mxnet import nd, gluon, autograd\nfrom mxnet.gluon import nn\n"


def draft(body: str) -> str:
    result = port_code(HEAD + body)
    assert result.error == ""
    ast.parse(result.code)  # every draft is Python
    return result.code.split("from torch import nn\n", 1)[1]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("y = nd.sum(x, axis=1, keepdims=True)", "y = torch.sum(x, dim=1, keepdim=True)"),
        ("y = nd.concat(a, b)", "y = torch.cat([a, b], dim=1)"),
        ("y = nd.concat(a, b, dim=0)", "y = torch.cat([a, b], dim=0)"),
        ("y = nd.reshape(x, (0, -1))", "y = x.reshape((x.shape[0], -1))"),
        ("y = x.reshape((-3, 0))", "y = x.reshape((x.shape[0] * x.shape[1], x.shape[2]))"),
        ("y = x.reshape((0, -2))", "y = x.reshape((x.shape[0], *x.shape[1:]))"),
        ("y = f(x).reshape((0, 0, -1))", "y = f(x).flatten(2)"),
        ("y = nd.slice_axis(x, axis=1, begin=2, end=5)", "y = torch.narrow(x, 1, 2, (5) - (2))"),
        ("y = nd.expand_dims(x, axis=0)", "y = torch.unsqueeze(x, 0)"),
        ("y = nd.broadcast_mul(a, b)", "y = torch.mul(a, b)"),
        ("y = nd.broadcast_to(x, shape=(2, 3))", "y = x.expand((2, 3))"),
        ("y = nd.transpose(x, axes=(0, 2, 1))", "y = x.permute((0, 2, 1))"),
        ("y = nd.array([1, 2])", "y = torch.tensor([1, 2], dtype=torch.float32)"),
        ("y = nd.zeros((2, 3), ctx=mx.cpu())", "y = torch.zeros((2, 3), device=torch.device('cpu'))"),
        ("y = x.asnumpy()", "y = x.detach().cpu().numpy()"),
        ("y = x.sum().asscalar()", "y = x.sum().item()"),
        ("x.attach_grad()", "x.requires_grad_()"),
        ("y = x.as_in_context(mx.gpu(1))", "y = x.to(torch.device('cuda', 1))"),
        ("m = nn.BatchNorm(momentum=0.9, in_channels=4)", "m = nn.BatchNorm1d(4, momentum=0.1)"),
        ("m = nn.BatchNorm(epsilon=1e-3)", "m = nn.LazyBatchNorm1d(eps=1e-3)"),
        ("m = nn.Dropout(0.3)", "m = nn.Dropout(p=0.3)"),
        ("m = nn.Dense(5, in_units=3, flatten=False)", "m = nn.Linear(3, 5)"),
        (
            "m = nn.Dense(5, activation='relu')",
            "m = nn.Sequential(nn.Flatten(), nn.LazyLinear(5), nn.ReLU())",
        ),
        (
            "m = nn.Conv2D(8, 3, 2, 1, in_channels=4)",
            "m = nn.Conv2d(4, 8, kernel_size=3, stride=2, padding=1)",
        ),
        ("m = nn.MaxPool2D(pool_size=3, strides=2)", "m = nn.MaxPool2d(kernel_size=3, stride=2)"),
        ("m = nn.GlobalAvgPool2D()", "m = nn.AdaptiveAvgPool2d(1)"),
        ("m = nn.Embedding(10, 4)", "m = nn.Embedding(10, 4)"),
        (
            "t = gluon.Trainer(net.collect_params(), 'adam', {'learning_rate': 1e-3, 'beta1': 0.5})",
            "t = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.5, 0.999))",
        ),
        ("l = gluon.loss.SoftmaxCrossEntropyLoss(from_logits=True)", "l = nn.NLLLoss(reduction='none')"),
        ("net.save_parameters('a.params')", "torch.save(net.state_dict(), 'a.params')"),
        ("net.load_parameters('a.params')", "net.load_state_dict(torch.load('a.params'))"),
        ("mx.random.seed(1)", "torch.manual_seed(1)"),
        (
            "d = gluon.data.DataLoader(ds, batch_size=4, last_batch='discard')",
            "d = torch.utils.data.DataLoader(ds, batch_size=4, drop_last=True)",
        ),
    ],
)
def test_rule(source: str, expected: str) -> None:
    assert draft(source + "\n").strip() == expected


def test_hybrid_forward_injected_parameters_become_attributes() -> None:
    code = draft(
        "class Scale(gluon.HybridBlock):\n"
        "    def __init__(self, **kwargs):\n"
        "        super(Scale, self).__init__(**kwargs)\n"
        "        with self.name_scope():\n"
        "            self.alpha = self.params.get('alpha', shape=(1,))\n"
        "\n"
        "    def hybrid_forward(self, F, x, alpha):\n"
        "        return F.broadcast_mul(x, alpha)\n"
    )
    assert "class Scale(nn.Module):" in code
    assert "super().__init__()" in code
    assert "self.alpha = nn.Parameter(torch.empty((1,)).uniform_(-0.07, 0.07))" in code
    assert "def forward(self, x):" in code
    assert "return torch.mul(x, self.alpha)" in code
    assert "name_scope" not in code


def test_training_step_reduction_and_zero_grad() -> None:
    code = draft(
        "trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1})\n"
        "with autograd.record():\n"
        "    loss = loss_fn(net(x), y)\n"
        "loss.backward()\n"
        "trainer.step(batch_size)\n"
    )
    assert code.splitlines()[1:] == [
        "trainer.zero_grad()",
        "loss = loss_fn(net(x), y)",
        "(loss.sum() / batch_size).backward()",
        "trainer.step()",
    ]


@pytest.mark.parametrize(
    ("source", "entry"),
    [
        ("y = nd.reshape(x, shape)", "reshape-special-codes"),
        ("y = x.reshape((-4, 2, -1, 0))", "reshape-special-codes"),
        ("y = nd.some_exotic_op(x)", "mx.nd.some_exotic_op"),
        ("l = gluon.loss.L2Loss()", "l2-loss-vs-mse"),
        ("net.initialize(mx.init.Xavier())", "initialization"),
        ("r = gluon.rnn.LSTM(10)", "rnn-lstm"),
    ],
)
def test_what_no_rule_covers_is_flagged_in_place(source: str, entry: str) -> None:
    result = port_code(HEAD + source + "\n")
    flagged = [e for e in result.edits if e.flagged and e.rule != "imports"]  # not a kept import
    assert flagged and flagged[0].line == 4
    lines = result.code.splitlines()
    todo = next(i for i, line in enumerate(lines) if line.startswith(f"# fwcheat: TODO({entry})"))
    assert todo + 1 < len(lines)


def test_an_import_still_needed_by_unported_code_is_kept_and_flagged() -> None:
    result = port_code(HEAD + "metric = mx.gluon.metric.MSE()\ny = nd.some_exotic_op(x)\n")
    code = result.code
    ast.parse(code)
    lines = code.splitlines()
    for statement, name in (("import mxnet as mx", "mx"), ("from mxnet import nd", "nd")):
        at = lines.index(statement)  # put back, under a TODO like every other flag
        assert lines[at - 1].startswith(f"# fwcheat: TODO(block-module) `{name}` is still used")
    assert "from mxnet import gluon" not in code  # no longer used: gone, as before
    assert "from mxnet import autograd" not in code
    kept = [(e.line, e.note) for e in result.edits if e.rule == "imports" and e.flagged]
    assert kept == [
        (1, "kept `import mxnet as mx`: `mx` is still used where no rule applied"),
        (2, "kept `from mxnet import nd`: `nd` is still used where no rule applied"),
    ]
    # Every name the draft uses is defined: `nn` comes from the target now, not kept from the source.
    names = {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}
    assert {"mx", "nd"} <= names
    fully = port_code(HEAD + "y = nd.sum(x, axis=1)\n").code
    assert "mxnet" not in fully  # everything ported: no source import left


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("p = nn.PixelShuffle2D(3)", "p = nn.PixelShuffle(3)"),
        ("p = nn.PixelShuffle2D(factor=r)", "p = nn.PixelShuffle(r)"),
        ("p = nn.PixelShuffle2D((2, 2))", "p = nn.PixelShuffle(2)"),
    ],
)
def test_pixel_shuffle_2d_becomes_pixel_shuffle(source: str, expected: str) -> None:
    assert draft(source + "\n").strip().splitlines()[-1] == expected


def test_pixel_shuffle_with_two_factors_is_flagged() -> None:
    result = port_code(HEAD + "p = nn.PixelShuffle2D((2, 3))\n")
    [edit] = [e for e in result.edits if e.rule == "pixel_shuffle"]
    assert edit.flagged and edit.entry == "depth-to-space"
    assert "p = nn.PixelShuffle2D((2, 3))" in result.code


def test_unmapped_use_keeps_its_code_under_a_todo() -> None:
    result = port_code(HEAD + "y = mx.contrib.nd.foreach(body, data, states)\n")
    assert "# fwcheat: TODO(mx.contrib.nd.foreach)" in result.code
    assert "y = mx.contrib.nd.foreach(body, data, states)" in result.code


@pytest.mark.parametrize(
    "code",
    [
        "",
        "x = 1\n",
        "import torch\nfrom torch import nn\n\nclass M(nn.Module):\n    def forward(self, x):\n"
        "        return x.sum(dim=1).reshape((0, -1))  # keep\n",
        "import numpy as np\ny = np.concatenate([a, b], axis=1).reshape((0, -1))\n",
    ],
)
def test_code_without_the_source_framework_is_unchanged(code: str) -> None:
    result = port_code(code)
    assert result.code == code and result.edits == [] and result.error == ""


@pytest.mark.parametrize("code", ["def f(:\n", "x = (\n", "\x00", "if True:\nprint(1)\n", "a = 'é\n"])
def test_syntax_errors_are_reported_not_raised(code: str) -> None:
    result = port_code(code)
    assert result.error and result.code == code


def test_never_raises_on_real_python_files() -> None:
    files = sorted((ROOT / "fwcheat").rglob("*.py"))[:60] + sorted((ROOT / "tests").rglob("*.py"))[:40]
    for path in files:
        code = path.read_text()
        result = port_code(code)
        assert result.error == "", path
        ast.parse(result.code)


def test_odd_gluon_code_never_raises() -> None:
    code = HEAD + (
        "from mxnet import *\n"
        "class B(gluon.HybridBlock):\n"
        "    def hybrid_forward(self, F, x, *args, **kwargs):\n"
        "        f = lambda F: F.relu\n"
        "        y = F.concat(*args, dim=2)\n"
        "        return F.reshape(x, shape=kwargs['s']) + F.sum(x, axis=(1, 2))[0]\n"
        "net.add()\n"
        "with autograd.record(), autograd.pause():\n"
        "    pass\n"
        "with autograd.record():\n"
        "    pass\n"
        "x = nd.random.normal(shape=(2,), ctx=ctx)\n"
        "y = nd.Activation(x, act_type=k)\n"
        "z = gluon.Trainer(p, opt, hp)\n"
    )
    result = port_code(code)
    assert result.error == ""
    ast.parse(result.code)


def test_every_cited_entry_exists() -> None:
    cited = set(rules.ENTRIES.values())
    cited |= {op.entry for op in rules.OPS.values()}
    cited |= {entry for _, _, entry in rules.LAYERS.values()}
    cited |= {entry for _, entry in rules.LOSSES.values()}
    cited |= {"set-learning-rate", "dtype-cast", "reduction-axis", "metric-mae-mse"}
    existing = {p.stem for p in (ROOT / "knowledge").glob("*/*.yaml")}
    assert cited - existing == set()


# -- the command --------------------------------------------------------------------------------
GLUON = (ROOT / "tests" / "porting" / "gluon_src" / "cnn.py").read_text()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_writes_the_draft_and_never_edits_the_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "model.py"
    src.write_text(GLUON + "nd_unknown = mx.nd.waitall_but_not()\n")
    before = _sha(src)
    dst = tmp_path / "model_torch.py"
    assert main(["port", str(src), "-o", str(dst), "--report", str(tmp_path / "r.md")]) == 1
    assert _sha(src) == before
    out = capsys.readouterr().out
    assert "13 translated by a rule, 2 flagged" in out
    assert f"{src}:28: mx.nd.waitall_but_not" in out
    assert f"{src}:3: mxnet [block-module]: kept `import mxnet as mx`" in out  # the draft still needs it
    assert "class SmallCNN(nn.Module):" in dst.read_text()
    assert "- [ ] line 28: `mx.nd.waitall_but_not`" in (tmp_path / "r.md").read_text()
    assert main(["port", str(src), "-o", str(src)]) == 2
    assert main(["port", str(src), "-o", str(dst)]) == 2  # exists, no --force
    assert "--force" in capsys.readouterr().err
    assert _sha(src) == before


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "model.py"
    src.write_text(GLUON)
    assert main(["port", str(src), "-o", str(tmp_path / "out.py"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["lines_translated"] == 14 and data["summary"]["lines_flagged"] == 0
    assert data["apis"]["mx.gluon.nn.BatchNorm"] == {"translated": 1, "flagged": 0, "entry": "batchnorm"}
    assert {"line", "rule", "api", "entry", "flagged", "note"} <= set(data["edits"][0])


def test_cli_draft_to_stdout_and_pytorch_file_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "already.py"
    code = "import torch\nx = torch.ones(2).sum(dim=0)\n"
    src.write_text(code)
    assert main(["port", str(src)]) == 0
    captured = capsys.readouterr()
    assert captured.out == code
    assert "nothing to port" in captured.err


def test_cli_bad_input_is_exit_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import mxnet\ndef f(:\n")
    assert main(["port", str(bad), "-o", str(tmp_path / "o.py")]) == 2
    err = capsys.readouterr().err
    assert "cannot port: line 2" in err and not (tmp_path / "o.py").exists()
    binary = tmp_path / "bin.py"
    binary.write_bytes(b"\x00\x01")
    assert main(["port", str(binary)]) == 2
    assert "binary" in capsys.readouterr().err
    assert main(["port", str(tmp_path / "missing.py")]) == 2
    assert main(["port", str(tmp_path)]) == 2


def test_cli_escapes_text_from_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "evil.py"
    src.write_text(HEAD + 'net.initialize(mx.init.Constant("\x1b[2J\x1b]0;pwned\x07"))\n')
    assert main(["port", str(src), "-o", str(tmp_path / "o.py")]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in out


def test_port_is_not_on_the_search_path() -> None:
    probe = (
        "import sys, fwcheat.cli as c; c.build_parser(); "
        "import fwcheat.commands.port, fwcheat.port.report; "
        "assert 'libcst' not in sys.modules, 'libcst imported'"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=ROOT)


def test_recorded_shapes_replace_lazy_layers() -> None:
    code = HEAD + "a = nn.Conv2D(8, 3)\nb = nn.BatchNorm()\nc = nn.Dense(4)\nd = nn.Dense(4)\n"
    shapes = {
        (4, 4, "Conv2D"): (2, 3, 9, 9),
        (5, 4, "BatchNorm"): (2, 8, 7, 7),
        (6, -1, "Dense"): (2, 8, 7, 7),
    }
    body = port_code(code, shapes).code.split("from torch import nn\n", 1)[1]
    assert body.splitlines() == [
        "a = nn.Conv2d(3, 8, kernel_size=3)",
        "b = nn.BatchNorm2d(8)",
        "c = nn.Sequential(nn.Flatten(), nn.Linear(392, 4))",
        "d = nn.Sequential(nn.Flatten(), nn.LazyLinear(4))",  # nothing recorded for this line
    ]


def test_shape_recording_parts() -> None:
    from fwcheat.port.shapes import MARK, ShapeError, parse_output, parse_shape

    assert parse_shape("1,3,28,28") == (1, 3, 28, 28)
    for bad in ("", "1,a", "0,3", "-1"):
        with pytest.raises(ValueError, match="--input-shape"):
            parse_shape(bad)
    printed = "noise\n" + MARK + json.dumps({"3:4:Dense": [[2, 5]], "7:-1:Dense": [[2, 5], [2, 6]]}) + "\n"
    assert parse_output(printed) == {(3, 4, "Dense"): (2, 5)}  # a call that saw two shapes stays lazy
    with pytest.raises(ShapeError):
        parse_output("no table")


def test_ctx_is_renamed_only_on_calls_into_mxnet() -> None:
    code = draft("x = nd.ones((2,), ctx=ctx)\ntrain(net, ctx=ctx)\n")
    assert code.splitlines() == ["x = torch.ones((2,), device=ctx)", "train(net, ctx=ctx)"]


def test_training_mode_is_flagged_where_dropout_or_batchnorm_exist() -> None:
    body = "trainer = gluon.Trainer(net.collect_params(), 'sgd')\nwith autograd.record():\n    l = net(x)\n"
    plain = port_code(HEAD + body)
    assert not [e for e in plain.edits if e.flagged]
    with_dropout = port_code(HEAD + "net = nn.Dropout(0.5)\n" + body)
    flagged = [e for e in with_dropout.edits if e.flagged]
    assert [(e.line, e.entry) for e in flagged] == [(6, "train-eval-mode")]
    assert "# fwcheat: TODO(train-eval-mode)" in with_dropout.code


def test_check_needs_the_draft_file_and_an_input_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "model.py"
    src.write_text(GLUON)
    assert main(["port", str(src), "--check"]) == 2
    assert "--check needs -o DST.py" in capsys.readouterr().err
    assert main(["port", str(src), "-o", str(tmp_path / "o.py"), "--check"]) == 2
    assert not (tmp_path / "o.py").exists()


def test_factory_names() -> None:
    from fwcheat.port.chain import factory_spec

    assert factory_spec(None, "a.py", "build") == ("a.py", "build")
    assert factory_spec("make", "a.py", "build") == ("a.py", "make")
    assert factory_spec("other.py:make", "a.py", "build") == ("other.py", "make")
    with pytest.raises(ValueError, match=r"FILE\.py:NAME"):
        factory_spec("pkg.mod:make", "a.py", "build")


def test_a_failing_rule_changes_nothing_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from fwcheat.port import rewrite

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(rewrite._Rewriter, "_reshape", broken)
    code = HEAD + "y = x.reshape((0, -1))\n"
    result = port_code(code)
    assert result.code == code and result.edits == []
    assert "a rewrite rule failed" in result.error and "boom" in result.error


def test_add_becomes_append_only_on_sequentials() -> None:
    code = draft(
        "seen = set()\nseen.add(3)\nnet = nn.HybridSequential()\nnet.add(block)\n"
        "other.add(nn.Dense(2, in_units=3))\n"
    )
    assert code.splitlines() == [
        "seen = set()",
        "seen.add(3)",
        "net = nn.Sequential()",
        "net.append(block)",
        "other.append(nn.Sequential(nn.Flatten(), nn.Linear(3, 2)))",
    ]
