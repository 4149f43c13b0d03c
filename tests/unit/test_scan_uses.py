"""The scanner: which names in Gluon-style code are uses of the MXNet API, and where."""

from __future__ import annotations

import pytest

from fwcheat.scan.uses import display_name, uses_in_code


def apis(code: str, framework: str = "mxnet") -> list[str]:
    return [display_name(u.api, framework) for u in uses_in_code(code, framework)]


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("import mxnet as mx", "mx.nd.array([1])"),
        ("import mxnet", "mxnet.nd.array([1])"),
        ("import mxnet.ndarray as nd", "nd.array([1])"),
        ("from mxnet import nd", "nd.array([1])"),
        ("from mxnet import ndarray as nd", "nd.array([1])"),
        ("from mxnet import nd, gluon, autograd as ag", "nd.array([1])"),
        ("from mxnet.ndarray import array", "array([1])"),
        ("from mxnet.ndarray import array as make", "make([1])"),
    ],
)
def test_every_import_form_names_one_api(imports: str, call: str) -> None:
    assert apis(f"{imports}\nx = {call}\n") == ["mx.nd.array"]


def test_gluon_module_aliases() -> None:
    code = (
        "from mxnet import gluon, autograd as ag\n"
        "from mxnet.gluon import nn, rnn\n"
        "import mxnet.gluon.nn as gnn\n"
        "a = nn.Dense(3)\n"
        "b = gluon.nn.Dense(3)\n"
        "c = gnn.Dense(3)\n"
        "d = rnn.LSTM(8)\n"
        "with ag.record():\n"
        "    pass\n"
    )
    assert apis(code) == [
        "mx.gluon.nn.Dense",
        "mx.gluon.nn.Dense",
        "mx.gluon.nn.Dense",
        "mx.gluon.rnn.LSTM",
        "mx.autograd.record",
    ]


def test_other_libraries_are_not_uses() -> None:
    code = (
        "import numpy as np\nimport mxnet as mx\nimport torch\n"
        "a = np.array([1]).sum(axis=0)\nb = torch.ones(2)\nc = [1].copy()\n"
    )
    assert apis(code) == []


def test_no_import_no_use() -> None:
    # `nd` is just a name here: without an import of MXNet nothing is claimed.
    assert apis("nd = load()\nnd.array([1])\n") == []


def test_f_inside_hybrid_forward_is_the_op_namespace() -> None:
    code = (
        "from mxnet import gluon\n"
        "class Net(gluon.HybridBlock):\n"
        "    def hybrid_forward(self, F, x, weight=None):\n"
        "        y = F.FullyConnected(x, weight, num_hidden=3)\n"
        "        return F.softmax(F.relu(y), axis=-1)\n"
        "def helper(F, x):\n"
        "    return F.relu(x)\n"  # not hybrid_forward: F is unknown here
    )
    assert apis(code) == [
        "mx.gluon.HybridBlock",
        "mx.gluon.HybridBlock.hybrid_forward",
        "mx.nd.FullyConnected",
        "mx.nd.softmax",
        "mx.nd.relu",
        "mx.nd.softmax(axis=)",
    ]


def test_symbol_api() -> None:
    code = (
        "import mxnet as mx\ndata = mx.sym.var('data')\nout = mx.symbol.FullyConnected(data, num_hidden=2)\n"
    )
    assert apis(code) == ["mx.sym.var", "mx.sym.FullyConnected"]


def test_ndarray_and_block_methods_on_any_receiver() -> None:
    code = (
        "import mxnet as mx\n"
        "y = model(x).asnumpy()\n"
        "s = loss.mean().asscalar()\n"
        "x = x.as_in_context(ctx)\n"
        "x.attach_grad()\n"
        "params = self.net.collect_params()\n"
        "net.hybridize()\n"
        "net.initialize(mx.init.Xavier())\n"
        "x.sum().backward()\n"  # backward exists everywhere: not a use by itself
    )
    assert apis(code) == [
        ".asnumpy",
        ".asscalar",
        ".as_in_context",
        ".attach_grad",
        ".collect_params",
        ".hybridize",
        ".initialize",
        "mx.init.Xavier",
    ]


def test_methods_of_variables_assigned_from_the_framework() -> None:
    code = (
        "from mxnet import gluon\n"
        "from mxnet.gluon import nn\n"
        "class Net(nn.HybridBlock):\n"
        "    pass\n"
        "net = Net()\n"
        "trainer = gluon.Trainer(params, 'sgd')\n"
        "trainer.step(batch_size)\n"
        "net.summary(x)\n"
        "seq = nn.Sequential()\n"
        "seq.add(nn.Dense(2))\n"
        "other.step(1)\n"  # not from the framework
    )
    assert apis(code) == [
        "mx.gluon.HybridBlock",
        "mx.gluon.Trainer",
        "mx.gluon.Trainer.step",
        "mx.gluon.HybridBlock.summary",
        "mx.gluon.nn.Sequential",
        "mx.gluon.nn.Sequential.add",
        "mx.gluon.nn.Dense",
    ]


def test_keywords_whose_meaning_changes() -> None:
    code = (
        "import mxnet as mx\nfrom mxnet import nd\nfrom mxnet.gluon import nn\n"
        "a = nd.sum(x, axis=1, keepdims=True)\n"
        "b = nd.zeros((2,), ctx=mx.cpu())\n"
        "c = nn.Conv2D(8, 3, strides=2, activation='relu', padding=1)\n"
        "d = nn.BatchNorm(momentum=0.9)\n"
        "e = nn.Dense(4, flatten=False)\n"
        "f = nn.Dropout(0.5, axes=(1,))\n"  # `axes` has no trap listed: not a use of its own
        "g = nn.LayerNorm(momentum=0.1)\n"  # momentum only matters on BatchNorm
    )
    assert apis(code) == [
        "mx.nd.sum",
        "mx.nd.sum(axis=)",
        "mx.nd.sum(keepdims=)",
        "mx.nd.zeros",
        "mx.nd.zeros(ctx=)",
        "mx.cpu",
        "mx.gluon.nn.Conv2D",
        "mx.gluon.nn.Conv2D(strides=)",
        "mx.gluon.nn.Conv2D(activation=)",
        "mx.gluon.nn.BatchNorm",
        "mx.gluon.nn.BatchNorm(momentum=)",
        "mx.gluon.nn.Dense",
        "mx.gluon.nn.Dense(flatten=)",
        "mx.gluon.nn.Dropout",
        "mx.gluon.nn.LayerNorm",
    ]


def test_nested_modules_report_each_layer_where_it_is() -> None:
    code = (
        "from mxnet.gluon import nn\n"
        "class Block(nn.HybridBlock):\n"
        "    def __init__(self, **kw):\n"
        "        super().__init__(**kw)\n"
        "        self.body = nn.HybridSequential()\n"
        "        self.body.add(nn.Conv2D(8, 3), nn.BatchNorm(), nn.Activation('relu'))\n"
        "class Net(nn.HybridBlock):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.blocks = nn.HybridSequential()\n"
        "        for _ in range(2):\n"
        "            self.blocks.add(Block())\n"
        "        self.out = nn.Dense(10)\n"
    )
    uses = uses_in_code(code, "mxnet")
    where = [(display_name(u.api, "mxnet"), u.line, u.col) for u in uses]
    assert ("mx.gluon.nn.Conv2D", 6, 22) in where
    assert ("mx.gluon.nn.BatchNorm", 6, 39) in where
    assert ("mx.gluon.nn.HybridSequential.add", 6, 18) in where
    assert ("mx.gluon.nn.HybridSequential.add", 12, 24) in where
    assert ("mx.gluon.nn.Dense", 13, 19) in where
    assert [w for w in where if w[0] == "mx.gluon.HybridBlock"] == [
        ("mx.gluon.HybridBlock", 2, 12),
        ("mx.gluon.HybridBlock", 7, 10),
    ]


def test_columns_count_characters_not_bytes() -> None:
    code = "from mxnet import nd\nnom_données = 'é'; x = nd.ones(1)\n"
    (use,) = uses_in_code(code, "mxnet")
    assert code.splitlines()[1][use.col :].startswith("nd.ones")


def test_pytorch_as_the_source() -> None:
    code = (
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
        "x = torch.zeros(3, device='cpu').unsqueeze(0)\n"
        "y = F.relu(x).sum(dim=1)\n"
        "bn = nn.BatchNorm2d(4, momentum=0.1)\n"
    )
    assert apis(code, "pytorch") == [
        "torch.zeros",
        "torch.zeros(device=)",
        ".unsqueeze",
        "torch.nn.functional.relu",
        "torch.nn.BatchNorm2d",
        "torch.nn.BatchNorm2d(momentum=)",
    ]


def test_code_that_does_not_parse_gives_no_uses() -> None:
    assert uses_in_code("from mxnet import nd\nnd.array(", "mxnet") == []


def test_api_names_come_with_positions() -> None:
    from fwcheat.apinames import ApiName, api_name_positions, api_names

    code = "from mxnet import nd\nx = nd.ones(3, ctx=ctx)\nx.attach_grad()\n"
    assert api_name_positions(code) == [
        ApiName("mxnet.nd", 1, 0),
        ApiName("nd.ones", 2, 4),
        ApiName("ctx", 2, 15),
        ApiName("attach_grad", 3, 0),
    ]
    assert api_names(code) == ["mxnet.nd", "nd.ones", "ctx", "attach_grad"]
    assert api_name_positions("y = nd.array(\nz = x.sum(") == [
        ApiName("nd.array", 1, 4),
        ApiName("x.sum", 2, 4),
    ]


def test_none_in_list_fields_is_skipped() -> None:
    # `{**a}` puts None in ast.Dict.keys; keyword-only args without a default put None in kw_defaults.
    from fwcheat.scan.uses import _collect

    tree = __import__("ast").parse("d = {**a, 'k': nd.ones(2)}\ndef f(*, x, y=1): pass\n")
    found = _collect(tree)
    assert any(len(v) for v in found.values())
