"""Parsing --device values."""

from __future__ import annotations

import pytest

from fwcheat.devices import DeviceRequest, DeviceSpecError, parse_device


@pytest.mark.parametrize(
    ("text", "kind", "index", "torch_name", "mxnet_name"),
    [
        ("cpu", "cpu", 0, "cpu", "mx.cpu()"),
        ("cuda", "gpu", 0, "cuda:0", "mx.gpu(0)"),
        ("cuda:1", "gpu", 1, "cuda:1", "mx.gpu(1)"),
        ("gpu:2", "gpu", 2, "cuda:2", "mx.gpu(2)"),
        ("GPU", "gpu", 0, "cuda:0", "mx.gpu(0)"),
        (" auto ", "auto", 0, "auto", "auto"),
    ],
)
def test_parse(text: str, kind: str, index: int, torch_name: str, mxnet_name: str) -> None:
    device = parse_device(text)
    assert (device.kind, device.index) == (kind, index)
    assert device.torch_name == torch_name
    assert device.mxnet_name == mxnet_name


@pytest.mark.parametrize("text", ["tpu", "cuda:x", "cpu:0", "auto:1", "", "cuda:-1", "gpu(0)"])
def test_bad_names_list_the_choices(text: str) -> None:
    with pytest.raises(DeviceSpecError, match="cpu, cuda, cuda:N, gpu:N or auto"):
        parse_device(text)


def test_wants_gpu() -> None:
    assert parse_device("cuda:0").wants_gpu
    assert not parse_device("auto").wants_gpu
    assert str(DeviceRequest("gpu", 3)) == "cuda:3"
