"""The framework kernels: devices, fresh namespaces, parallel runs, fetching values."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from kernel_procs import RssSampler

from fwcheat.compare import Agreement, compare_values
from fwcheat.devices import parse_device
from fwcheat.kernels.base import OUTPUT_CAP, Status
from fwcheat.kernels.session import KernelPool

pytestmark = [pytest.mark.kernels, pytest.mark.timeout(240), pytest.mark.asyncio(loop_scope="module")]


async def test_device_and_ctx_are_defined_on_cpu(pool: KernelPool) -> None:
    torch_run, mx_run = await asyncio.gather(
        pool.run("pytorch", "print(device, type(device).__name__)"),
        pool.run("mxnet", "print(ctx, type(ctx).__name__)"),
    )
    assert torch_run.stdout == "cpu device\n"
    assert mx_run.stdout == "cpu(0) Context\n"


async def test_asking_for_cuda_without_gpu_gives_clear_error(pool: KernelPool) -> None:
    if any(info.gpus for info in pool.info.values()):
        pytest.skip("this machine has a GPU")
    pool.device = parse_device("cuda")
    torch_run, mx_run = await asyncio.gather(
        pool.run("pytorch", "print(device)"), pool.run("mxnet", "print(ctx)")
    )
    for run, asked, available in ((torch_run, "cuda:0", "cpu"), (mx_run, "mx.gpu(0)", "mx.cpu()")):
        assert run.status is Status.ERROR
        assert run.error is not None and run.error.name == "DeviceUnavailable"
        assert asked in run.error.value
        assert f"available: {available}" in run.error.value
        assert run.stdout == ""  # the snippet did not run


@pytest.mark.gpu
async def test_cuda_device_when_a_gpu_is_there(pool: KernelPool) -> None:
    if not all(info.gpus for info in pool.info.values()):
        pytest.skip("no GPU visible to both frameworks")
    pool.device = parse_device("cuda:0")
    torch_run, mx_run = await asyncio.gather(
        pool.run("pytorch", "print(torch.ones(1, device=device).device)", setup="import torch"),
        pool.run("mxnet", "import mxnet as mx\nprint(mx.nd.ones(1, ctx=ctx).context)"),
    )
    assert torch_run.stdout == "cuda:0\n"
    assert mx_run.stdout == "gpu(0)\n"


async def test_auto_device_falls_back_to_cpu_without_gpu(pool: KernelPool) -> None:
    if any(info.gpus for info in pool.info.values()):
        pytest.skip("this machine has a GPU")
    pool.device = parse_device("auto")
    run = await pool.run("pytorch", "print(device)")
    assert run.stdout == "cpu\n"


async def test_each_run_gets_a_fresh_namespace(pool: KernelPool) -> None:
    first = await pool.run("pytorch", "leftover = 1\nprint(leftover)")
    assert first.stdout == "1\n"
    second = await pool.run("pytorch", "print(leftover)")
    assert second.status is Status.ERROR
    assert second.error is not None and second.error.name == "NameError"
    kept = await pool.run("pytorch", "print(leftover)", fresh=False)  # still gone
    assert kept.status is Status.ERROR


async def test_logging_a_snippet_silences_is_back_for_the_next(pool: KernelPool) -> None:
    # Two bundled snippets call logging.disable(WARNING); a later one that logs at INFO
    # (callback-speedometer) printed nothing when it ran after them in the same kernel.
    state = "import logging\nr = logging.getLogger()\n"
    state += "print(logging.root.manager.disable, r.level, len(r.handlers))"
    before = await pool.run("mxnet", state)
    spoil = "import logging\nlogging.disable(logging.WARNING)\nlogging.getLogger().setLevel(logging.ERROR)\n"
    spoil += "logging.getLogger().addHandler(logging.NullHandler())"
    assert (await pool.run("mxnet", spoil)).ok
    after = await pool.run("mxnet", state)
    assert before.ok and after.stdout == before.stdout


async def test_torch_and_mxnet_run_at_the_same_time(pool: KernelPool) -> None:
    code = "import time\nt0 = time.time()\ntime.sleep(1.5)\nprint(round(t0, 1))"
    started = time.perf_counter()
    torch_run, mx_run = await asyncio.gather(pool.run("pytorch", code), pool.run("mxnet", code))
    wall = time.perf_counter() - started
    assert torch_run.status is Status.OK and mx_run.status is Status.OK
    assert wall < 2.9, f"the runs were not concurrent: {wall:.2f}s for two 1.5s sleeps"
    assert abs(float(torch_run.stdout) - float(mx_run.stdout)) < 1.0


async def test_50_mb_print_is_cut_and_memory_stays_bounded(pool: KernelPool) -> None:
    with RssSampler() as rss:
        before = rss.now()
        run = await pool.run(
            "pytorch", "print('x' * 50_000_000)\nfor i in range(20_000):\n    print('y' * 999)", timeout=120
        )
    assert run.status is Status.OK
    assert run.truncated
    assert "output cut here" in run.stdout
    assert len(run.stdout) <= OUTPUT_CAP + 100
    assert rss.peak - before < 60, f"RSS grew by {rss.peak - before:.0f} MiB"
    after = await pool.run("pytorch", "print('fine')")
    assert after.stdout == "fine\n" and not after.truncated


async def test_fetch_brings_values_back_as_numpy(pool: KernelPool) -> None:
    await asyncio.gather(
        pool.run("pytorch", "import torch\ny = torch.arange(6.0).reshape(2, 3) * 2"),
        pool.run("mxnet", "from mxnet import nd\ny = nd.arange(6).reshape((2, 3)) * 2"),
    )
    left, right = await asyncio.gather(pool.fetch("pytorch", "y"), pool.fetch("mxnet", "y"))
    assert left.array is not None and right.array is not None
    np.testing.assert_array_equal(left.array, [[0, 2, 4], [6, 8, 10]])
    assert left.type_name == "torch.Tensor"
    verdict = compare_values("y", left, right)
    assert verdict.agreement is Agreement.AGREE
    assert verdict.shapes == ((2, 3), (2, 3))


async def test_fetch_missing_and_non_numeric_values(pool: KernelPool) -> None:
    await pool.run("pytorch", "words = 'hello'\nitems = {'a': 1}")
    missing = await pool.fetch("pytorch", "nothing_here")
    assert missing.array is None and missing.error == "missing"
    text = await pool.fetch("pytorch", "words")
    assert text.error == "non-numeric"
    mapping = await pool.fetch("pytorch", "items")
    assert mapping.error == "non-numeric" and mapping.type_name == "builtins.dict"


async def test_scalar_lists_and_tuples_are_fetched(pool: KernelPool) -> None:
    await pool.run(
        "pytorch", "import torch\ns = torch.tensor(2.5).item()\npair = (torch.ones(2), torch.zeros(2))"
    )
    scalar = await pool.fetch("pytorch", "s")
    assert scalar.array is not None and scalar.array.shape == () and float(scalar.array) == 2.5
    pair = await pool.fetch("pytorch", "pair")
    assert pair.array is not None and pair.array.shape == (2, 2)


async def test_kernel_info_reports_versions_and_gpus(pool: KernelPool) -> None:
    info = pool.info["pytorch"]
    assert info.pid is not None
    assert info.probe["torch"].startswith("2.")
    assert info.probe["mxnet"] == "1.9.1"
    assert isinstance(info.probe["gpus"], int)


async def test_run_can_fetch_in_the_same_request(pool: KernelPool) -> None:
    run = await pool.run("mxnet", "from mxnet import nd\nz = nd.ones((2, 2)) * 3", fetch="z")
    fetched = pool.fetched(run)
    assert fetched is not None and fetched.array is not None
    assert fetched.array.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    failed = await pool.run("mxnet", "z = 1 / 0", fetch="z")
    assert failed.status is Status.ERROR and pool.fetched(failed) is None
    missing = pool.fetched(await pool.run("mxnet", "pass", fetch="z"))
    assert missing is not None and missing.error == "missing"


async def test_binding_without_fresh_keeps_the_namespace(pool: KernelPool) -> None:
    from fwcheat.kernels import prelude

    kernel = pool.kernels["pytorch"]
    await pool.run("pytorch", "kept = 5")
    reply = await kernel.execute(
        "", user_expressions={"b": prelude.bind_expression("pytorch", pool.device)}, silent=True
    )
    assert "error" not in prelude.decode_expression(reply.expressions["b"])
    after = await pool.run("pytorch", "print(kept, device)", fresh=False)
    assert after.stdout == "5 cpu\n"


async def test_a_snippet_cannot_break_the_next_one(pool: KernelPool) -> None:
    # Issue: a replaced or closed sys.stdout made the next entry record nothing.
    broke = await asyncio.gather(
        pool.run(
            "pytorch", "import io, sys, torch\ntorch.set_grad_enabled(False)\nsys.stdout = io.StringIO()"
        ),
        pool.run("mxnet", "import sys\nsys.stdout.close()\nprint('after close')"),
    )
    assert all(r.ok for r in broke), [r.error for r in broke]
    torch_run, mx_run = await asyncio.gather(
        pool.run("pytorch", "import torch\nprint(torch.is_grad_enabled())"),
        pool.run("mxnet", "print('next entry')"),
    )
    assert torch_run.stdout == "True\n"
    assert mx_run.stdout == "next entry\n"
