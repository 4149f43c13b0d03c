"""The legacy, checkpoint, data, model-zoo and mx.np topics of issue #10 each have an entry.

Every sub-topic below is named by an API a porter would search for; an entry covers it
when the name is one of its aliases, tags or its id (compared case-insensitively), and
carries the topic's tag. A sub-topic whose entries are deleted or renamed fails here.
"""

from __future__ import annotations

import pytest

from fwcheat.knowledge import KnowledgeBase
from fwcheat.load import load_knowledge

#: topic tag -> the sub-topics (aliases, tags or ids) that some entry with that tag must carry.
SUBTOPICS: dict[str, tuple[str, ...]] = {
    "legacy-symbol": (
        "mx.sym.var",
        "mx.sym.Group",
        "get_internals",
        "simple_bind",
        "sym.bind",
        "infer_shape",
        "SymbolBlock",
        "SoftmaxOutput",
        "ignore_label",
        "normalization",
        "MakeLoss",
        "fix_gamma",
        "BlockGrad",
        "LinearRegressionOutput",
    ),
    "legacy-module": (
        "mx.mod.Module",
        "Module.fit",
        "mod.forward",
        "mod.backward",
        "mod.update",
        "BucketingModule",
        "mx.model.load_checkpoint",
        "symbol.json",
        "arg:",
        "aux:",
        "Speedometer",
        "do_checkpoint",
        "fixed_param_names",
    ),
    "checkpoint-conversion": (
        "resnetv10_conv0_weight",
        "gamma",
        "beta",
        "moving_mean",
        "running_mean",
        "l0_i2h_weight",
        "weight_ih_l0",
        "weight_ih_l0_reverse",
        "gluon-to-torch-end-to-end",
    ),
    "gluon-data-vision": (
        "gluon.data.vision.MNIST",
        "FashionMNIST",
        "CIFAR10",
        "CIFAR100",
        "ImageFolderDataset",
        "transform=lambda data, label",
        "ImageRecordDataset",
    ),
    "gluon-transforms": (
        "transforms.Compose",
        "transforms.ToTensor",
        "transforms.Normalize",
        "transforms.Resize",
        "CenterCrop",
        "RandomResizedCrop",
        "RandomFlipLeftRight",
        "RandomColorJitter",
        "RandomLighting",
    ),
    "mx-image": ("mx.image.imread", "mx.image.imdecode", "mx.image.imresize", "mx.image.fixed_crop"),
    "recordio": (".rec", ".idx", "MXIndexedRecordIO", "IRHeader", "ImageRecordIter"),
    "ndarray-iter": ("mx.io.NDArrayIter", "mx.io.DataBatch", "last_batch_handle", "CSVIter"),
    "model-zoo": (
        "gluon.model_zoo.vision",
        "get_model",
        "torchvision.models",
        "net.features",
        "net.output",
        "model.fc",
        "ImageNet preprocessing",
    ),
    "mx-np": ("npx.set_np", "mx.np.ndarray", "npx.reshape", "npx.softmax", "as_np_ndarray", "F.np"),
}

CASES = sorted((tag, name) for tag, names in SUBTOPICS.items() for name in names)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(include_user=False)


def _names(entry: object) -> set[str]:
    aliases = getattr(entry, "aliases", ())
    tags = getattr(entry, "tags", ())
    return {str(n).lower() for n in (*aliases, *tags, getattr(entry, "id", ""))}


@pytest.mark.parametrize(("tag", "name"), CASES, ids=[f"{t}:{n}" for t, n in CASES])
def test_subtopic_has_an_entry(kb: KnowledgeBase, tag: str, name: str) -> None:
    covering = [e.id for e in kb if tag in e.tags and name.lower() in _names(e)]
    assert covering, f"no entry tagged `{tag}` carries `{name}` (as an alias, tag or id)"


@pytest.mark.parametrize("tag", sorted(SUBTOPICS))
def test_topic_has_several_entries(kb: KnowledgeBase, tag: str) -> None:
    assert len([e for e in kb if tag in e.tags]) >= 4, tag


def test_entries_importing_torchvision_declare_it(kb: KnowledgeBase) -> None:
    """torchvision is not installed with torch; verify must be able to skip these entries."""
    tagged = [e for e in kb if any(t in e.tags for t in SUBTOPICS)]
    missing = [
        e.id
        for e in tagged
        if any("torchvision" in s.setup + s.code for _, s in e.snippets.items())
        and "torchvision" not in e.requires
    ]
    assert not missing, f"import torchvision without `requires: [torchvision]`: {missing}"
