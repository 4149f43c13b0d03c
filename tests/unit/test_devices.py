"""Parsing --device values."""

from __future__ import annotations

import pytest

from fwcheat import frameworks
from fwcheat.devices import DeviceRequest, DeviceSpecError, parse_device


@pytest.mark.parametrize(
    ("text", "kind", "index", "names"),
    [
        ("cpu", "cpu", 0, {"pytorch": "cpu", "mxnet": "mx.cpu()", "tensorflow": "/CPU:0", "keras": "/CPU:0"}),
        (
            "cuda",
            "gpu",
            0,
            {"pytorch": "cuda:0", "mxnet": "mx.gpu(0)", "tensorflow": "/GPU:0", "keras": "/GPU:0"},
        ),
        ("cuda:1", "gpu", 1, {"pytorch": "cuda:1", "mxnet": "mx.gpu(1)", "tensorflow": "/GPU:1"}),
        ("gpu:2", "gpu", 2, {"pytorch": "cuda:2", "mxnet": "mx.gpu(2)", "keras": "/GPU:2"}),
        ("GPU", "gpu", 0, {"pytorch": "cuda:0"}),
        (" auto ", "auto", 0, {"pytorch": "auto", "tensorflow": "auto"}),
    ],
)
def test_parse(text: str, kind: str, index: int, names: dict[str, str]) -> None:
    device = parse_device(text)
    assert (device.kind, device.index) == (kind, index)
    for framework, name in names.items():
        assert frameworks.get(framework).device_name(device.kind, device.index) == name


@pytest.mark.parametrize("text", ["tpu", "cuda:x", "cpu:0", "auto:1", "", "cuda:-1", "gpu(0)"])
def test_bad_names_list_the_choices(text: str) -> None:
    with pytest.raises(DeviceSpecError, match="cpu, cuda, cuda:N, gpu:N or auto"):
        parse_device(text)


def test_wants_gpu() -> None:
    assert parse_device("cuda:0").wants_gpu
    assert not parse_device("auto").wants_gpu
    assert str(DeviceRequest("gpu", 3)) == "cuda:3"
