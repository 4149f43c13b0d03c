"""The engine's orchestration, against fake kernels: states, restarts, deaths, devices, verdicts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fake_kernel import FakeWorld

from fwcheat.compare import Agreement
from fwcheat.kernels.base import Status
from fwcheat.kernels.config import KernelConfig
from fwcheat.kernels.session import KernelPool, KernelState, KernelStatus
from fwcheat.knowledge.model import Entry, Snippet, Snippets

OFF, STARTING, IDLE, BUSY, DEAD, UNAVAILABLE = (
    KernelState.OFF,
    KernelState.STARTING,
    KernelState.IDLE,
    KernelState.BUSY,
    KernelState.DEAD,
    KernelState.UNAVAILABLE,
)


def make_pool(
    world: FakeWorld, tmp_path: Path, changes: list[KernelStatus], device: str = "cpu"
) -> KernelPool:
    return KernelPool(
        device,
        config=KernelConfig(),
        image_dir=tmp_path / "images",
        factory=world.factory,
        on_state=changes.append,
    )


def states(changes: list[KernelStatus], framework: str) -> list[KernelState]:
    return [c.state for c in changes if c.framework == framework]


def entry(compare: str | None = "y", **codes: str) -> Entry:
    snippets = Snippets(**{fw: Snippet(code=code) for fw, code in codes.items()})
    return Entry(
        id="demo",
        title="Demo",
        title_zh="演示",
        category="test",
        summary="s",
        snippets=snippets,
        compare=compare,
    )


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


async def test_start_reports_starting_then_idle_with_version(world: FakeWorld, tmp_path: Path) -> None:
    changes: list[KernelStatus] = []
    async with make_pool(world, tmp_path, changes) as pool:
        assert pool.state("tensorflow") is OFF
        infos = await pool.start("tensorflow", "keras")
        assert all(not i.error for i in infos.values())
        assert states(changes, "tensorflow") == [STARTING, IDLE]
        assert pool.status["keras"].version == "9.9"
        assert pool.status["keras"].pid is not None
        # Starting again starts nothing.
        await pool.ensure("keras")
        assert world.log.count(("keras", "start")) == 1
    assert pool.state("keras") is OFF
    assert ("keras", "shutdown") in world.log


async def test_concurrent_ensure_starts_one_kernel(world: FakeWorld, tmp_path: Path) -> None:
    async with make_pool(world, tmp_path, []) as pool:
        await asyncio.gather(*(pool.ensure("pytorch") for _ in range(5)))
    assert world.log.count(("pytorch", "start")) == 1


async def test_missing_framework_is_unavailable_with_the_install_hint(
    world: FakeWorld, tmp_path: Path
) -> None:
    world.broken["tensorflow"] = "ModuleNotFoundError: No module named 'tensorflow'"
    world.no_start.add("keras")
    changes: list[KernelStatus] = []
    async with make_pool(world, tmp_path, changes) as pool:
        await pool.start("tensorflow", "keras")
        assert pool.state("tensorflow") is UNAVAILABLE
        assert "fwcheat[tensorflow]" in pool.status["tensorflow"].detail
        assert pool.state("keras") is UNAVAILABLE
        assert "did not start" in pool.status["keras"].detail
        result = await pool.run("tensorflow", "print(1)")
        assert result.status is Status.DIED and result.error is not None
        assert result.error.name == "KernelUnavailable"


async def test_unknown_framework_is_refused_not_raised(world: FakeWorld, tmp_path: Path) -> None:
    async with make_pool(world, tmp_path, []) as pool:
        result = await pool.run("jax", "print(1)")
        assert result.status is Status.DIED
        assert "cannot run 'jax'" in result.reason
        assert world.log == []


async def test_run_goes_busy_then_idle_and_binds_each_frameworks_device(
    world: FakeWorld, tmp_path: Path
) -> None:
    changes: list[KernelStatus] = []
    async with make_pool(world, tmp_path, changes) as pool:
        outputs = {
            fw: (await pool.run(fw, f"print({var})")).stdout
            for fw, var in (
                ("pytorch", "device"),
                ("mxnet", "ctx"),
                ("tensorflow", "device"),
                ("keras", "device"),
            )
        }
        assert states(changes, "pytorch") == [STARTING, IDLE, BUSY, IDLE]
    assert outputs == {
        "pytorch": "cpu\n",
        "mxnet": "mx.cpu()\n",
        "tensorflow": "/CPU:0\n",
        "keras": "/CPU:0\n",
    }


async def test_death_is_reported_and_the_next_run_replaces_the_kernel(
    world: FakeWorld, tmp_path: Path
) -> None:
    changes: list[KernelStatus] = []
    async with make_pool(world, tmp_path, changes) as pool:
        died = await pool.run("keras", "die()")
        assert died.status is Status.DIED
        assert pool.state("keras") is DEAD
        assert "SIGKILL" in pool.status["keras"].detail
        again = await pool.run("keras", "print('back')")
        assert again.ok and again.stdout == "back\n"
        assert "started a new one" in again.reason
        assert states(changes, "keras")[-5:] == [DEAD, STARTING, IDLE, BUSY, IDLE]
        assert world.log.count(("keras", "restart")) == 1


async def test_death_while_idle_is_noticed_by_poll(world: FakeWorld, tmp_path: Path) -> None:
    async with make_pool(world, tmp_path, []) as pool:
        await pool.start("pytorch")
        world.kernels["pytorch"].kill()
        await pool.poll()
        assert pool.state("pytorch") is DEAD
        assert pool.status["pytorch"].pid is None
        result = await pool.run("pytorch", "print(2)")
        assert result.ok and pool.state("pytorch") is IDLE


async def test_restart_gives_a_fresh_interpreter(world: FakeWorld, tmp_path: Path) -> None:
    changes: list[KernelStatus] = []
    async with make_pool(world, tmp_path, changes) as pool:
        await pool.run("tensorflow", "kept = 1")
        assert (await pool.run("tensorflow", "print(kept)", fresh=False)).stdout == "1\n"
        info = await pool.restart("tensorflow")
        assert not info.error
        assert pool.status["tensorflow"].detail == "restarted"
        gone = await pool.run("tensorflow", "print(kept)", fresh=False)
        assert gone.status is Status.ERROR and gone.error is not None and gone.error.name == "NameError"
        assert states(changes, "tensorflow")[6:8] == [STARTING, IDLE]
        # Restarting one that never started starts it.
        await pool.restart("mxnet")
        assert pool.state("mxnet") is IDLE and world.log.count(("mxnet", "start")) == 1


async def test_timeout_and_interrupt_leave_the_kernel_idle(world: FakeWorld, tmp_path: Path) -> None:
    async with make_pool(world, tmp_path, []) as pool:
        slow = await pool.run("pytorch", "hang()", timeout=0.05)
        assert slow.status is Status.TIMED_OUT and pool.state("pytorch") is IDLE
        task = asyncio.ensure_future(pool.run("pytorch", "wait_for_interrupt()"))
        while pool.state("pytorch") is not BUSY:
            await asyncio.sleep(0)
        await pool.interrupt("pytorch")
        stopped = await task
        assert stopped.status is Status.INTERRUPTED and pool.state("pytorch") is IDLE


async def test_set_device_is_checked_against_running_kernels(world: FakeWorld, tmp_path: Path) -> None:
    async with make_pool(world, tmp_path, []) as pool:
        # Nothing running yet: the device is taken, and each kernel refuses it when it runs.
        assert pool.set_device("cuda").ok
        refused = await pool.run("tensorflow", "print(device)")
        assert refused.status is Status.ERROR and refused.error is not None
        assert refused.error.name == "DeviceUnavailable" and refused.error.traceback == []
        assert "/GPU:0 asked for, but TensorFlow sees 0 GPUs" in refused.error.value
        assert refused.stdout == ""
        # Now a kernel runs and sees no GPU: the switch is refused, with the reason.
        choice = pool.set_device("cuda:1")
        assert not choice.ok
        assert "/GPU:1 asked for, but TensorFlow sees 0 GPUs (available: /CPU:0)" in choice.reason
        assert str(pool.device) == "cuda:0"  # unchanged
        assert pool.set_device("cpu").ok
        assert (await pool.run("tensorflow", "print(device)")).stdout == "/CPU:0\n"
        bad = pool.set_device("tpu")
        assert not bad.ok and "unknown device" in bad.reason


async def test_gpu_device_when_the_machine_has_one(tmp_path: Path) -> None:
    world = FakeWorld(gpus=2)
    async with make_pool(world, tmp_path, []) as pool:
        await pool.start("pytorch", "mxnet")
        assert pool.set_device("cuda:1").ok
        torch_run, mx_run = await asyncio.gather(
            pool.run("pytorch", "print(device)"), pool.run("mxnet", "print(ctx)")
        )
        assert (torch_run.stdout, mx_run.stdout) == ("cuda:1\n", "mx.gpu(1)\n")
        assert not pool.set_device("cuda:2").ok


async def test_run_entry_gives_a_verdict_per_framework_against_pytorch(
    world: FakeWorld, tmp_path: Path
) -> None:
    demo = entry(
        pytorch="y = [1.0, 2.0]",
        mxnet="y = [1.0, 2.0]",
        tensorflow="y = [1.0, 2.5]",
        keras="y = [[1.0, 2.0]]",
    )
    streamed: list[tuple[str, str]] = []
    async with make_pool(world, tmp_path, []) as pool:
        outcome = await pool.run_entry(demo, on_output=lambda fw, e: streamed.append((fw, e.text)))
    assert set(outcome.results) == {"pytorch", "mxnet", "tensorflow", "keras"}
    assert set(outcome.verdicts) == {"mxnet", "tensorflow", "keras"}
    assert outcome.verdicts["mxnet"].agreement is Agreement.AGREE
    assert outcome.verdicts["mxnet"].frameworks == ("pytorch", "mxnet")
    assert outcome.verdicts["tensorflow"].agreement is Agreement.DIFFER
    assert outcome.verdicts["tensorflow"].max_abs_diff == pytest.approx(0.5)
    assert outcome.verdicts["keras"].agreement is Agreement.SHAPE_MISMATCH
    assert outcome.verdicts["keras"].shapes == ((2,), (1, 2))
    assert outcome.verdict is outcome.verdicts["tensorflow"]  # the first disagreement
    assert not outcome.ok
    assert streamed == []  # nothing printed
    # The values came back inside the run requests: one execute per framework.
    assert all(k.runs == 1 for k in world.kernels.values())


async def test_run_entry_without_the_reference_compares_with_the_first(
    world: FakeWorld, tmp_path: Path
) -> None:
    demo = entry(tensorflow="y = 3\nprint(y)", keras="y = 3.0\nprint(y)")
    streamed: list[tuple[str, str]] = []
    async with make_pool(world, tmp_path, []) as pool:
        outcome = await pool.run_entry(
            demo, ["tensorflow", "keras"], lambda fw, e: streamed.append((fw, e.text))
        )
    assert outcome.ok
    assert list(outcome.verdicts) == ["keras"]
    assert outcome.verdicts["keras"].frameworks == ("tensorflow", "keras")
    assert sorted(streamed) == [("keras", "3.0\n"), ("tensorflow", "3\n")]


async def test_a_failed_side_gets_no_verdict_and_fails_the_run(world: FakeWorld, tmp_path: Path) -> None:
    demo = entry(pytorch="y = 1", tensorflow="raise ValueError('bad')", keras="pass")
    async with make_pool(world, tmp_path, []) as pool:
        outcome = await pool.run_entry(demo)
    assert outcome.results["tensorflow"].status is Status.ERROR
    assert set(outcome.verdicts) == {"keras"}
    assert outcome.verdicts["keras"].agreement is Agreement.MISSING
    assert not outcome.ok


async def test_a_kernel_restarted_outside_the_pool_is_not_restarted_again(
    world: FakeWorld, tmp_path: Path
) -> None:
    async with make_pool(world, tmp_path, []) as pool:
        await pool.run("mxnet", "die()")
        assert pool.state("mxnet") is DEAD
        await world.kernels["mxnet"].restart()  # as the REPL does, binding its own names after
        await pool.run("mxnet", "kept = 1", fresh=False)
        assert (await pool.run("mxnet", "print(kept)", fresh=False)).stdout == "1\n"
        assert world.log.count(("mxnet", "restart")) == 1
        assert pool.state("mxnet") is IDLE


async def test_a_pool_without_a_runtime_folder_runs_private_kernels_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setenv("FWCHEAT_RUNTIME_DIR", str(not_a_folder / "run"))
    world = FakeWorld()
    pool = KernelPool(
        "cpu", config=KernelConfig(), image_dir=tmp_path / "images", factory=world.factory, warm=True
    )
    async with pool:
        result = await pool.run("pytorch", "print(1)")
    assert result.ok and result.stdout == "1\n"
    assert "kernels are private this time (no runtime folder" in result.reason
    assert pool.warm is False
    assert "warm" not in world.kernels["pytorch"].options  # the factory was asked for a private kernel


async def test_a_warm_pool_hands_each_kernel_its_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FWCHEAT_RUNTIME_DIR", str(tmp_path / "run"))
    world = FakeWorld()
    pool = KernelPool(
        "cpu", config=KernelConfig(), image_dir=tmp_path / "images", factory=world.factory, warm=True
    )
    async with pool:
        await pool.start("pytorch", "mxnet")
    slots = {fw: k.options["warm"] for fw, k in world.kernels.items()}
    assert set(slots) == {"pytorch", "mxnet"}
    assert all(slot.root == str(tmp_path / "run") for slot in slots.values())
    assert slots["pytorch"].signature["framework"] == "pytorch"


async def test_a_kernel_that_cannot_be_reset_is_replaced_and_the_snippet_runs(tmp_path: Path) -> None:
    world = FakeWorld()
    changes: list[KernelStatus] = []
    async with make_pool(world, tmp_path, changes) as pool:
        assert (await pool.run("pytorch", "print(1)")).ok
        world.unresettable.add("pytorch")  # an earlier snippet broke what the reset needs
        result = await pool.run("pytorch", "print(2)")
        assert result.ok and result.stdout == "2\n"
        assert "could not be reset" in result.reason and "builtins are gone" in result.reason
        assert ("pytorch", "restart") in world.log
        assert pool.state("pytorch") is KernelState.IDLE
