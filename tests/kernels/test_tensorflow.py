"""TensorFlow and Keras in real kernels: run, errors, interrupts, death and recovery, devices, quiet logs.

Both kernels are started once for the module (TensorFlow's import takes seconds).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Iterator

import numpy as np
import pytest
import pytest_asyncio

from fwcheat.kernels.base import Status
from fwcheat.kernels.session import KernelPool, KernelState, KernelStatus
from fwcheat.knowledge.model import Entry, Snippet, Snippets

pytestmark = [pytest.mark.kernels, pytest.mark.timeout(300), pytest.mark.asyncio(loop_scope="module")]

CHANGES: list[KernelStatus] = []


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_pool() -> AsyncIterator[KernelPool]:
    async with KernelPool("cpu", on_state=CHANGES.append) as p:
        infos = await p.start("tensorflow", "keras")
        for info in infos.values():
            if info.error:
                pytest.skip(info.error)
        yield p


@pytest.fixture
def pool(shared_pool: KernelPool) -> Iterator[KernelPool]:
    yield shared_pool
    shared_pool.set_device("cpu")


@pytest.mark.parametrize("framework", ["tensorflow", "keras"])
async def test_device_is_a_tf_string_and_the_default_placement(pool: KernelPool, framework: str) -> None:
    run = await pool.run(
        framework,
        "import tensorflow as tf\nx = tf.ones((2, 2))\nprint(repr(device), x.device.split('/')[-1])",
        fetch="x",
    )
    assert run.ok, run.error
    assert run.stdout == "'/CPU:0' device:CPU:0\n"
    fetched = pool.fetched(run)
    assert fetched is not None and fetched.array is not None
    np.testing.assert_array_equal(fetched.array, np.ones((2, 2), dtype=np.float32))


async def test_keras_runs_keras_3_on_tensorflow(pool: KernelPool) -> None:
    code = (
        "import keras\nimport numpy as np\n"
        "model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, kernel_initializer='ones')])\n"
        "y = model(np.ones((1, 3), dtype='float32'))\n"
        "print(keras.__version__.split('.')[0], keras.backend.backend(), y.shape)"
    )
    run = await pool.run("keras", code, fetch="y")
    assert run.ok, run.error
    assert run.stdout == "3 tensorflow (1, 2)\n"
    assert run.stderr == ""  # no TensorFlow log lines reach the user
    fetched = pool.fetched(run)
    assert fetched is not None and fetched.array is not None
    np.testing.assert_allclose(fetched.array, [[3.0, 3.0]])


async def test_no_tensorflow_log_lines_reach_the_output(pool: KernelPool) -> None:
    # A tf.function retraced in a loop makes TensorFlow warn through absl; a GPU
    # lookup makes its C++ side talk. Neither may show.
    code = (
        "import tensorflow as tf\n"
        "for n in range(7):\n"
        "    tf.function(lambda x: x + 1)(tf.constant([float(n)] * (n + 1)))\n"
        "tf.config.list_physical_devices('GPU')\n"
        "print('done')"
    )
    run = await pool.run("tensorflow", code)
    assert run.ok, run.error
    assert run.stdout == "done\n"
    assert run.stderr == ""


@pytest.mark.parametrize("framework", ["tensorflow", "keras"])
async def test_error_gives_name_and_value(pool: KernelPool, framework: str) -> None:
    run = await pool.run(framework, "import tensorflow as tf\ntf.reshape(tf.ones(6), (4, 2))")
    assert run.status is Status.ERROR
    assert run.error is not None and run.error.name == "InvalidArgumentError"
    assert pool.state(framework) is KernelState.IDLE


async def test_interrupt_stops_a_running_snippet(pool: KernelPool) -> None:
    task = asyncio.ensure_future(pool.run("tensorflow", "import time\nwhile True:\n    time.sleep(0.05)"))
    while pool.state("tensorflow") is not KernelState.BUSY:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    await pool.interrupt("tensorflow")
    run = await asyncio.wait_for(task, 30)
    assert run.status is Status.INTERRUPTED
    after = await pool.run("tensorflow", "print(device)")
    assert after.stdout == "/CPU:0\n"


async def test_timeout_interrupts_and_the_kernel_keeps_working(pool: KernelPool) -> None:
    run = await pool.run("keras", "import time\ntime.sleep(30)", timeout=1)
    assert run.status is Status.TIMED_OUT
    assert (await pool.run("keras", "print(1 + 1)")).stdout == "2\n"


@pytest.mark.parametrize("framework", ["tensorflow", "keras"])
async def test_death_is_reported_and_the_kernel_comes_back(pool: KernelPool, framework: str) -> None:
    old_pid = pool.status[framework].pid
    run = await pool.run(framework, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert run.status is Status.DIED
    assert "SIGKILL" in run.reason
    assert pool.state(framework) is KernelState.DEAD
    back = await pool.run(framework, "import tensorflow as tf\nprint(device, tf.constant(2) * 3)")
    assert back.ok, back.error
    assert back.stdout == "/CPU:0 tf.Tensor(6, shape=(), dtype=int32)\n"
    assert "started a new one" in back.reason
    assert pool.status[framework].pid not in (None, old_pid)
    seen = [c.state for c in CHANGES if c.framework == framework]
    assert seen[-5:] == [
        KernelState.DEAD,
        KernelState.STARTING,
        KernelState.IDLE,
        KernelState.BUSY,
        KernelState.IDLE,
    ]


async def test_killed_while_idle_is_noticed_and_replaced(pool: KernelPool) -> None:
    pid = pool.status["tensorflow"].pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        await pool.poll()
        if pool.state("tensorflow") is KernelState.DEAD:
            break
        await asyncio.sleep(0.1)
    assert pool.state("tensorflow") is KernelState.DEAD
    run = await pool.run("tensorflow", "print('again')")
    assert run.stdout == "again\n"


@pytest.mark.parametrize("framework", ["tensorflow", "keras"])
async def test_gpu_is_refused_with_the_reason_without_one(pool: KernelPool, framework: str) -> None:
    if pool.info[framework].gpus:
        pytest.skip("this machine has a GPU")
    choice = pool.set_device("cuda")
    assert not choice.ok
    assert "/GPU:0 asked for, but" in choice.reason and "sees 0 GPUs (available: /CPU:0)" in choice.reason
    # Forced past the check (as for a kernel not started yet), the kernel itself refuses.
    pool.device = choice.device.__class__("gpu", 0)
    run = await pool.run(framework, "print('should not run')")
    assert run.status is Status.ERROR
    assert run.error is not None and run.error.name == "DeviceUnavailable"
    assert "/GPU:0 asked for, but" in run.error.value and "available: /CPU:0" in run.error.value
    assert run.stdout == ""


async def test_replaced_or_closed_stdout_does_not_reach_the_next_snippet(pool: KernelPool) -> None:
    hidden = await pool.run("tensorflow", "import sys, io\nsys.stdout = io.StringIO()\nprint('swallowed')")
    assert hidden.ok and hidden.stdout == ""
    after = await pool.run("tensorflow", "print('seen')")
    assert after.stdout == "seen\n"
    closed = await pool.run("keras", "import sys\nsys.stdout.close()\nsys.stderr.close()\nprint('still')")
    assert closed.ok, closed.error
    after = await pool.run("keras", "print('seen too')")
    assert after.stdout == "seen too\n"


async def test_global_state_a_snippet_changes_is_put_back(pool: KernelPool) -> None:
    messy = (
        "import sys, os, builtins, numpy as np, tensorflow as tf, keras\n"
        "sys.stdin = None\nbuiltins.print = lambda *a, **k: None\nbuiltins.leftover = 1\n"
        "os.chdir('/')\nnp.set_printoptions(precision=1)\nkeras.config.set_floatx('float16')\n"
        "sys.setrecursionlimit(900)\nos.environ['FWCHEAT_LEFTOVER'] = '1'\n"
        "scope = tf.device('/CPU:0')\nscope.__enter__()\n"
    )
    assert (await pool.run("keras", messy, timeout=20)).ok
    check = (
        "import sys, os, numpy as np, keras\n"
        "print('leftover' in dir(__builtins__), sys.stdin is not None, np.array([0.123456]),\n"
        "      keras.config.floatx(), sys.getrecursionlimit() > 900, 'FWCHEAT_LEFTOVER' in os.environ,\n"
        "      os.getcwd() != '/')\n"
        "1 + 1"
    )
    run = await pool.run("keras", check, timeout=20)
    assert run.ok, run.error
    assert run.output == "False True [0.123456] float32 True False True\n2\n"


async def test_run_entry_compares_tensorflow_and_keras_with_each_other(pool: KernelPool) -> None:
    entry = Entry(
        id="tf-demo",
        title="t",
        title_zh="t",
        category="test",
        summary="s",
        compare="y",
        snippets=Snippets(
            tensorflow=Snippet(code="import tensorflow as tf\ny = tf.range(3.0) * 2"),
            keras=Snippet(code="import keras\ny = keras.ops.arange(3.0) * 2"),
        ),
    )
    outcome = await pool.run_entry(entry)
    assert outcome.ok, outcome.to_dict()
    verdict = outcome.verdicts["keras"]
    assert verdict.frameworks == ("tensorflow", "keras")
    assert verdict.shapes == ((3,), (3,)) and verdict.dtypes == ("float32", "float32")
    assert verdict.max_abs_diff == 0
