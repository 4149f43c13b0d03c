"""TensorFlow and Keras in the tensor-level knowledge: seed 002's shape and math topics, the everyday surface.

Each topic names the TensorFlow (or Keras) call a porter looks for; at least one
entry must *run* that call in its tensorflow (or keras) snippet, not merely
mention it in a note, so the topic cannot quietly disappear from the runnable
knowledge.
"""

from __future__ import annotations

import re

import pytest

from fwcheat.knowledge import KnowledgeBase
from fwcheat.load import load_knowledge

#: Topic -> a pattern one tensorflow snippet's code must contain.
TF_TOPICS = {
    # seed 002: 维度增加和维度交换以及维度扩展, reshape, 矩阵乘法
    "reshape (vs view)": r"\btf\.reshape\(",
    "transpose with perm (vs permute)": r"\btf\.transpose\([^)]*perm=",
    "matrix transpose of the last two axes (.mT)": r"\btf\.linalg\.matrix_transpose\(",
    "expand_dims (vs unsqueeze)": r"\btf\.expand_dims\(",
    "tile (vs repeat)": r"\btf\.tile\(",
    "broadcast_to (vs expand)": r"\btf\.broadcast_to\(",
    "repeat (vs repeat_interleave)": r"\btf\.repeat\(",
    "squeeze": r"\btf\.squeeze\(",
    "matmul": r"\btf\.matmul\(",
    "batched matmul with transpose_b": r"\btf\.matmul\([^)]*transpose_b=True",
    "element-wise multiply": r"\btf\.multiply\(",
    "tensordot (nd.dot on N-D arrays)": r"\btf\.tensordot\(",
    # tensors
    "creation from a list": r"\btf\.constant\(",
    "creation: range": r"\btf\.range\(",
    "creation: zeros / ones / fill": r"\btf\.(zeros|ones|fill)\(",
    "dtypes and casts": r"\btf\.cast\(",
    "NumPy interop in": r"\btf\.convert_to_tensor\(",
    "NumPy interop out": r"\.numpy\(\)",
    "Variables instead of in-place ops": r"\.assign_add\(",
    # reductions
    "reduce_sum with axis and keepdims": r"\btf\.reduce_sum\([^)]*axis=[^)]*keepdims=True",
    "reduce_mean": r"\btf\.reduce_mean\(",
    "integer division": r"\btf\.truncatediv\(",
    # indexing, gather and scatter
    "gather with batch_dims": r"\btf\.gather\([^)]*batch_dims=",
    "gather_nd": r"\btf\.gather_nd\(",
    "boolean_mask": r"\btf\.boolean_mask\(",
    "tensor_scatter_nd_update": r"\btf\.tensor_scatter_nd_update\(",
    "Variable scatter_nd_update": r"\.scatter_nd_update\(",
    # concat, stack, split
    "concat": r"\btf\.concat\(",
    "stack": r"\btf\.stack\(",
    "split": r"\btf\.split\(",
    # random
    "global seed": r"\btf\.random\.set_seed\(",
    "stateless random ops": r"\btf\.random\.stateless_\w+\(",
    "normal": r"\btf\.random\.normal\(",
    "uniform": r"\btf\.random\.uniform\(",
    "categorical (multinomial)": r"\btf\.random\.categorical\(",
    "shuffle": r"\btf\.random\.shuffle\(",
    # devices
    "device scope": r"\bwith tf\.device\(",
    "listing GPUs": r"\btf\.config\.list_physical_devices\(",
    "device string of a tensor": r"\btf\.DeviceSpec\.from_string\(",
}

#: Topic -> a pattern one keras snippet's code must contain (Keras's own idioms).
KERAS_TOPICS = {
    "keras.ops.reshape": r"\bops\.reshape\(",
    "Reshape layer leaves the batch axis out": r"\bkeras\.layers\.Reshape\(",
    "Permute layer (1-based axes)": r"\bkeras\.layers\.Permute\(",
    "keras.ops.tile pads like NumPy": r"\bops\.tile\(",
    "keras.ops.matmul": r"\bops\.matmul\(",
    "Dot layer (batch_dot)": r"\bkeras\.layers\.Dot\(",
    "keras.ops.sum / mean with axis": r"\bops\.(sum|mean)\([^)]*axis=",
    "keras.random with a SeedGenerator": r"\bkeras\.random\.SeedGenerator\(",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(include_user=False)


def _codes(kb: KnowledgeBase, framework: str) -> dict[str, str]:
    codes = {}
    for entry in kb:
        snippet = entry.snippets.get(framework)
        if snippet is not None:
            codes[entry.id] = snippet.code
    return codes


@pytest.mark.parametrize(("topic", "pattern"), sorted(TF_TOPICS.items()), ids=sorted(TF_TOPICS))
def test_tensorflow_topic_is_run(kb: KnowledgeBase, topic: str, pattern: str) -> None:
    covering = [i for i, code in _codes(kb, "tensorflow").items() if re.search(pattern, code)]
    assert covering, f"no tensorflow snippet runs {topic!r} (pattern {pattern!r})"


@pytest.mark.parametrize(("topic", "pattern"), sorted(KERAS_TOPICS.items()), ids=sorted(KERAS_TOPICS))
def test_keras_topic_is_run(kb: KnowledgeBase, topic: str, pattern: str) -> None:
    covering = [i for i, code in _codes(kb, "keras").items() if re.search(pattern, code)]
    assert covering, f"no keras snippet runs {topic!r} (pattern {pattern!r})"


def test_tensorflow_and_keras_snippets_are_recorded_and_compared(kb: KnowledgeBase) -> None:
    """Every TF/Keras snippet has its recorded output, and sits in an entry with a PyTorch side."""
    missing = [
        f"{e.id}/{fw}"
        for e in kb
        for fw in ("tensorflow", "keras")
        if (s := e.snippets.get(fw)) is not None and (s.output is None or e.snippets.get("pytorch") is None)
    ]
    assert not missing, f"record the output (fwcheat verify --update ID): {missing}"


def test_tensorflow_and_keras_snippets_do_not_hard_code_a_device(kb: KnowledgeBase) -> None:
    """The runner places TF/Keras snippets on the chosen device; a literal '/GPU:0' would override it."""
    literal = re.compile(r"""["'](/?device:)?/?(GPU|CPU|gpu|cpu):\d""")
    offenders = [
        f"{e.id}/{fw}"
        for e in kb
        if e.gpus == 0 and "try-gpu" not in e.tags  # the try-GPU helper falls back to the CPU by design
        for fw in ("tensorflow", "keras")
        if (s := e.snippets.get(fw)) is not None and literal.search(re.sub(r"#.*", "", s.code))
    ]
    assert not offenders, f"use the runner's `device` instead of a literal device: {offenders}"


def test_at_least_100_entries_carry_tensorflow_or_keras(kb: KnowledgeBase) -> None:
    """Issue 9's target for the whole knowledge base.

    MEANT FOR THE MERGED BRANCHES: it counts the tensor-level entries of branch
    "tfb" together with the model-level ones of branch "tfa" (autograd, models,
    layers, losses, optimizers...); the coordinator runs it after merging both.
    """
    carrying = [e.id for e in kb if e.snippets.get("tensorflow") or e.snippets.get("keras")]
    assert len(carrying) >= 100, f"only {len(carrying)} entries carry a tensorflow or keras snippet"
