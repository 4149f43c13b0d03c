"""TensorFlow and Keras in the model-level knowledge: seed 002's autograd, model, saving and training topics.

Each topic names the TensorFlow (or Keras) call a porter looks for; at least one
entry must *run* that call in its tensorflow or keras snippet, not merely
mention it in a note or an alias, so the topic cannot quietly disappear from
the runnable knowledge. The tensor-level topics are in test_coverage_tf_b.py.
"""

from __future__ import annotations

import re

import pytest

from fwcheat.knowledge import KnowledgeBase
from fwcheat.load import load_knowledge

#: Topic -> a pattern that the code of one tensorflow or keras snippet must match.
TOPICS = {
    # seed 002: 自动求导
    "GradientTape": r"\btf\.GradientTape\(\)",
    "persistent GradientTape": r"\btf\.GradientTape\(persistent=True\)",
    "tape.watch-free gradient of a Variable": r"\btape\.gradient\(",
    "no zero_grad: gradients accumulated by hand": r"grad \+= g\b",
    "tf.stop_gradient": r"\btf\.stop_gradient\(",
    "keras.ops.stop_gradient": r"\bkeras\.ops\.stop_gradient\(",
    "custom gradient": r"@tf\.custom_gradient\b",
    "apply_gradients": r"\.apply_gradients\(zip\(",
    "var_list (train part of a model)": r"\bvar_list\b",
    "compat.v1 minimize(var_list=...)": r"\.minimize\([\s\S]*?var_list=",
    # seed 002: 模型参数初始化
    "kernel_initializer": r"\bkernel_initializer=",
    "GlorotUniform / Xavier": r"\bGlorotUniform\(",
    "custom initializer callable": r"def \w+\(shape, dtype=None\)",
    # seed 002: 模型的训练和测试
    "training=True": r"\btraining=True\b",
    "model.fit": r"\.fit\(",
    "model.evaluate": r"\.evaluate\(",
    "callbacks": r"\bkeras\.callbacks\.\w+",
    # seed 002: 数据读取
    "tf.data from_tensor_slices": r"\btf\.data\.Dataset\.from_tensor_slices\(",
    "tf.data batch(drop_remainder=True)": r"\.batch\([^)]*drop_remainder=True",
    "tf.data padded_batch": r"\.padded_batch\(",
    "tf.data from_generator": r"\btf\.data\.Dataset\.from_generator\(",
    "keras PyDataset": r"\bkeras\.utils\.PyDataset\b",
    # seed 002: 模型定义
    "Sequential": r"\bkeras\.Sequential\(",
    "functional Model(inputs, outputs)": r"\bkeras\.Model\(inputs=",
    "subclassed Model": r"class \w+\(keras\.Model\)",
    "custom Layer": r"class \w+\(keras\.layers\.Layer\)",
    "build + add_weight": r"def build\(self, input_shape\)[\s\S]*\.add_weight\(",
    "Lambda": r"\bkeras\.layers\.Lambda\(",
    "tf.function": r"@tf\.function\b",
    # seed 002: 获取模型中的变量
    "trainable_variables": r"\.trainable_variables\b",
    "tf.Module variables": r"class \w+\(tf\.Module\)",
    "get_weights / set_weights": r"\.set_weights\(",
    # seed 002: 模型持久化和加载
    "save_weights": r"\.save_weights\(",
    "load_weights": r"\.load_weights\(",
    "tf.train.Checkpoint": r"\btf\.train\.Checkpoint\(",
    "CheckpointManager": r"\btf\.train\.CheckpointManager\(",
    "partial restore (expect_partial)": r"\.expect_partial\(\)",
    "SavedModel save": r"\btf\.saved_model\.save\(",
    "SavedModel load": r"\btf\.saved_model\.load\(",
    "Keras export": r"\.export\(",
    ".keras whole-model save and load_model": r"\bkeras\.models\.load_model\(",
    "tf.train.load_checkpoint (NewCheckpointReader)": r"\btf\.train\.load_checkpoint\(",
    # seed 002: 只训练部分参数 / finetune
    "trainable = False": r"\.trainable = False\b",
    "per-layer learning rates (one optimizer per group)": r"\bslow\.apply_gradients\(",
    # seed 002: 输出中间层结果
    "intermediate layer output": r"\bkeras\.Model\(model\.inputs\[0\], model\.get_layer\(",
    # seed 002: TF1 style, as tf.compat.v1
    "compat.v1 Session": r"\bv1\.Session\(",
    "compat.v1 placeholder": r"\bv1\.placeholder\(",
    "compat.v1 Saver": r"\bv1\.train\.Saver\(",
    "compat.v1 global_variables_initializer": r"\bv1\.global_variables_initializer\(",
    # the everyday surface
    "from_logits": r"\bfrom_logits=True\b",
    "SparseCategoricalCrossentropy": r"\bkeras\.losses\.SparseCategoricalCrossentropy\(",
    "BinaryCrossentropy": r"\bkeras\.losses\.BinaryCrossentropy\(",
    "Keras optimizers": r"\bkeras\.optimizers\.(SGD|Adam|RMSprop)\(",
    "learning-rate schedules": r"\bkeras\.optimizers\.schedules\.\w+\(",
    "tf.clip_by_global_norm": r"\btf\.clip_by_global_norm\(",
    "Keras metrics update_state": r"\.update_state\(",
}

#: The seed-002 topics that must be run in both TensorFlow-level and Keras-level snippets.
IN_BOTH = {
    "stop_gradient": (r"\btf\.stop_gradient\(", r"\bstop_gradient\("),
    "training loop": (r"\btape\.gradient\(", r"\.fit\("),
    "saving": (r"\btf\.saved_model\.save\(", r"\.save_weights\("),
    "partial restore": (r"\.restore\(", r"\.load_weights\("),
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(include_user=False)


def _codes(kb: KnowledgeBase, frameworks: tuple[str, ...]) -> dict[str, str]:
    return {
        f"{entry.id}/{fw}": snippet.code
        for entry in kb
        for fw in frameworks
        if (snippet := entry.snippets.get(fw)) is not None
    }


@pytest.mark.parametrize(("topic", "pattern"), sorted(TOPICS.items()), ids=sorted(TOPICS))
def test_topic_is_run_in_tensorflow_or_keras(kb: KnowledgeBase, topic: str, pattern: str) -> None:
    codes = _codes(kb, ("tensorflow", "keras"))
    covering = [key for key, code in codes.items() if re.search(pattern, code)]
    assert covering, f"no tensorflow or keras snippet runs {topic!r} (pattern {pattern!r})"


@pytest.mark.parametrize(("topic", "patterns"), sorted(IN_BOTH.items()), ids=sorted(IN_BOTH))
def test_topic_is_run_in_both(kb: KnowledgeBase, topic: str, patterns: tuple[str, str]) -> None:
    tf_pattern, keras_pattern = patterns
    in_tf = [k for k, code in _codes(kb, ("tensorflow",)).items() if re.search(tf_pattern, code)]
    in_keras = [k for k, code in _codes(kb, ("keras",)).items() if re.search(keras_pattern, code)]
    assert in_tf, f"no tensorflow snippet runs {topic!r} ({tf_pattern!r})"
    assert in_keras, f"no keras snippet runs {topic!r} ({keras_pattern!r})"


def test_search_finds_the_tensorflow_and_keras_names(kb: KnowledgeBase) -> None:
    """The API names people type (GradientTape, from_logits...) are aliases of some entry."""
    wanted = [
        "GradientTape",
        "tf.stop_gradient",
        "apply_gradients",
        "var_list",
        "from_logits",
        "trainable_variables",
        "save_weights",
        "tf.train.Checkpoint",
        "SavedModel",
        "trainable = False",
        "tf.Session",
        "keras.Sequential",
        "add_weight",
        "Lambda",
        "training=True",
    ]
    aliases = {alias for entry in kb for alias in entry.aliases}
    missing = [name for name in wanted if name not in aliases]
    assert not missing, f"no entry lists these as aliases: {missing}"
