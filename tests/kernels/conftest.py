"""Fixtures that start real ipykernels (no fakes): each test gets its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from kernel_procs import wait_gone

from fwcheat.devices import parse_device
from fwcheat.kernels.jupyter import JupyterKernel
from fwcheat.kernels.session import KernelPool

pytestmark = pytest.mark.kernels


@pytest.fixture
async def kernel(tmp_path: Path) -> AsyncIterator[JupyterKernel]:
    """A bare ipykernel of this interpreter (no framework imported)."""
    k = JupyterKernel("test", runtime_dir=tmp_path, image_dir=tmp_path / "images")
    await k.start()
    try:
        yield k
    finally:
        pid = k.pid
        await k.shutdown()
        assert pid is None or not wait_gone([pid])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_pool() -> AsyncIterator[KernelPool]:
    """Both framework kernels, started concurrently, shared by a test module."""
    async with KernelPool("cpu") as p:
        infos = await p.start("pytorch", "mxnet")
        for info in infos.values():
            if info.error:
                pytest.skip(info.error)
        yield p


@pytest.fixture
def pool(shared_pool: KernelPool) -> Iterator[KernelPool]:
    """The module's pool, back on CPU after each test."""
    yield shared_pool
    shared_pool.device = parse_device("cpu")
