"""The bundled knowledge base covers every topic of the source notes, in both frameworks."""

from __future__ import annotations

import re

import pytest

from fwcheat.knowledge import KnowledgeBase
from fwcheat.load import load_knowledge

#: Topic -> the tag an entry must carry (issue #4's list; none may quietly disappear).
TOPICS = {
    # tensors
    "creation (arange, ones, zeros, lists, NumPy)": "tensor-creation",
    "shape and size": "shape-size",
    "printing": "printing",
    "`+ 1` broadcasting": "broadcasting",
    "NumPy round-trips, copy vs share": "numpy-interop",
    "asscalar / item": "scalar",
    # autograd
    "attach_grad + record vs requires_grad": "autograd-record",
    "backward on a non-scalar": "backward-nonscalar",
    "gradients overwritten vs accumulated, zero_grad": "grad-accumulation",
    "detach / stop_gradient, cutting the graph": "detach",
    "freezing parameters": "freeze-parameters",
    "the deprecated Variable": "variable-deprecated",
    # devices
    "ctx= / as_in_context / copyto vs device= / .to / .cuda()": "device-placement",
    "a try-GPU helper": "try-gpu",
    "a whole network on a device": "model-to-device",
    # model definition
    "nn.Block / forward vs nn.Module": "block-module",
    "Sequential both ways": "sequential",
    "name_scope": "name-scope",
    "activation as a layer argument": "activation-argument",
    "deferred initialization vs declared sizes (LazyLinear)": "deferred-init",
    "AlexNet with per-layer output shapes": "alexnet",
    "HybridBlock / hybridize vs torch.compile / jit.script": "hybridize",
    # initialization
    "initialize(), Xavier, weight_initializer, default init vs nn.init": "initialization",
    # losses and optimizers
    "SoftmaxCrossEntropyLoss vs CrossEntropyLoss": "softmax-cross-entropy",
    "L2Loss vs MSELoss (the 1/2 factor)": "l2-loss",
    "gluon.Trainer sgd vs torch.optim.SGD": "sgd-trainer",
    "trainer.step(batch_size) vs optimizer.step()": "trainer-step",
    # training
    "the full training loop": "training-loop",
    "train()/eval() vs record(train_mode)/predict_mode": "train-eval-mode",
    "Dropout in each mode": "dropout",
    "BatchNorm in each mode": "batchnorm",
    # data
    "DataLoader both ways": "dataloader",
    "transform_first": "transform-first",
    "ArrayDataset vs TensorDataset": "array-dataset",
    # parameters
    "collect_params vs parameters / named_parameters": "parameters",
    "state_dict": "state-dict",
    # save and load
    "save_parameters / load_parameters vs torch.save / load_state_dict": "save-load-parameters",
    "whole-model save": "save-whole-model",
    "export vs TorchScript / torch.export": "export",
    "fine-tuning with different learning rates": "fine-tuning",
    # shape operations
    "reshape / view / contiguous": "reshape-view",
    "transpose / permute": "transpose-permute",
    "broadcast_to / expand vs tile / repeat": "expand-vs-repeat",
    "expand_dims / unsqueeze": "unsqueeze",
    "squeeze": "squeeze",
    "flatten": "flatten",
    "indexing incl. the negative index": "indexing",
    # math
    "dot / batch_dot vs matmul / mm / bmm": "matmul",
    "element-wise multiply": "elementwise-multiply",
    "reductions with axis= vs dim=": "reduction-axis",
    # the everyday surface
    "concat / stack / split": "concat-stack-split",
    "where / clip / clamp": "where-clip",
    "argmax / topk / sort": "argmax-topk-sort",
    "one_hot": "one-hot",
    "softmax and log_softmax": "softmax",
    "random: seed, uniform, normal": "random",
    "dtype casts": "dtype-cast",
    "zeros_like / ones_like": "zeros-like",
    "Conv2D": "conv2d",
    "pooling incl. global": "pooling",
    "Embedding": "embedding",
    "LSTM / GRU": "rnn",
    "Conv2DTranspose": "conv-transpose",
    "LeakyReLU": "leaky-relu",
    "Adam and other optimizers": "adam",
    "learning-rate schedules, set_learning_rate": "lr-schedule",
    "gradient clipping": "gradient-clipping",
    "metrics": "metrics",
    "multi-GPU (split_and_load vs DataParallel/DDP)": "multi-gpu",
    "mixed precision": "mixed-precision",
    "waitall vs cuda.synchronize": "synchronize",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(include_user=False)


@pytest.mark.parametrize(
    ("topic", "tag"), sorted(TOPICS.items()), ids=[tag for _, tag in sorted(TOPICS.items())]
)
def test_topic_is_covered(kb: KnowledgeBase, topic: str, tag: str) -> None:
    covering = [e.id for e in kb if tag in e.tags or e.id == tag]
    assert covering, f"no entry covers {topic!r} (tag `{tag}`)"


def test_at_least_150_entries(kb: KnowledgeBase) -> None:
    assert len(kb) >= 150


def test_every_entry_has_both_frameworks_and_bilingual_titles(kb: KnowledgeBase) -> None:
    for entry in kb:
        assert entry.snippets.get("pytorch") is not None, entry.id
        assert entry.snippets.get("mxnet") is not None, entry.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.title_zh), entry.id
        assert any(any("\u4e00" <= ch <= "\u9fff" for ch in alias) for alias in entry.aliases), entry.id
        assert entry.notes, entry.id


def test_no_snippet_hard_codes_a_device(kb: KnowledgeBase) -> None:
    """Snippets run on the device the user picks: `device` / `ctx`, never a literal GPU."""
    banned = ("mx.gpu(", ".cuda()", "device='cuda", 'device="cuda', "ctx=mx.gpu")
    offenders = [
        f"{e.id}/{fw}"
        for e in kb
        if e.gpus == 0 and "try-gpu" not in e.tags  # the try-GPU helpers probe GPUs by design
        for fw, s in e.snippets.items()
        if any(b in re.sub(r"#.*", "", s.code) for b in banned)
    ]
    assert not offenders, f"use `device` / `ctx` instead of a hard-coded device: {offenders}"


def test_bundled_knowledge_validates_cleanly(kb: KnowledgeBase) -> None:
    assert [str(p) for p in kb.problems] == []
