"""The resident run helper answers plain `fwcheat run`s exactly as the command would.

Each test runs `fwcheat` as a user does (``python -m fwcheat``, a new process
per command, which goes through :mod:`fwcheat.launch`) against its own runtime
folder, so the helper and kernels it leaves are its own.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kernel_procs import pid_alive, wait_gone
from warm_cli import env_for, fwcheat, make_home

pytestmark = [pytest.mark.kernels, pytest.mark.slow, pytest.mark.timeout(240)]

KNOWLEDGE = """\
entries:
  - id: res-pid
    title: Which kernel
    title_zh: 哪个内核
    category: test
    summary: Prints the kernel's pid and working directory.
    snippets:
      pytorch:
        code: |
          import os
          print("pid", os.getpid())
          print("cwd", os.getcwd())
          print("leftover", "x_left" in dir())
          x_left = 1
  - id: res-slow
    title: Slow
    title_zh: 慢
    category: test
    summary: Prints its pid, then sleeps for a long time.
    snippets:
      pytorch:
        code: |
          import os, time
          print("pid", os.getpid(), flush=True)
          time.sleep(60)
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path, KNOWLEDGE)


def helper(home: Path) -> dict[str, object] | None:
    try:
        record: dict[str, object] = json.loads((home / "run" / "resident.json").read_text())
    except (OSError, ValueError):
        return None
    return record if pid_alive(int(str(record["pid"]))) else None


def wait_for_helper(home: Path, timeout: float = 30.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = helper(home)
        if record is not None:
            return record
        time.sleep(0.05)
    raise AssertionError("no resident run helper started")


def served(home: Path, expected: int | None = None) -> int:
    """Commands the helper answered; given ``expected``, waits a little for the count to reach it
    (the helper stamps its record just after the command has its answer)."""
    deadline = time.monotonic() + 5.0
    while True:
        record = helper(home)
        assert record is not None, "the helper is gone"
        count = int(str(record["served"]))
        if expected is None or count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.02)


def wait_busy(home: Path, timeout: float = 60.0) -> None:
    """Until a command holds the PyTorch kernel's slot, then a little more (the run is sent).

    Read from /proc/locks, not by trying the lock: a try could itself push the command to another slot.
    """
    inode = (home / "run" / "pytorch-0.lock").stat().st_ino
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if "FLOCK" in fields and any(f.endswith(f":{inode}") for f in fields):
                time.sleep(0.5)
                return
        time.sleep(0.02)
    raise AssertionError("no command took the kernel")


def printed(stdout: str, key: str) -> str:
    output = json.loads(stdout)["results"]["pytorch"]["output"]
    for line in output.splitlines():
        if line.startswith(key + " "):
            return line.split(" ", 1)[1]
    raise AssertionError(f"no {key!r} line in {output!r}")


def without_timings(payload: dict[str, object]) -> dict[str, object]:
    payload = dict(payload)
    payload.pop("wall")
    results = {}
    for name, result in dict(payload["results"]).items():  # type: ignore[call-overload]
        results[name] = {k: v for k, v in result.items() if k != "duration"}
    payload["results"] = results
    return payload


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One runtime folder for the tests below (in file order: the last one stops everything)."""
    home = make_home(tmp_path_factory.mktemp("resident"), KNOWLEDGE)
    yield home
    fwcheat(home, "kernels", "stop")


@pytest.fixture
def started(shared: Path) -> Path:
    """A warm kernel and the helper, both up (the first command starts them, or they run already)."""
    if helper(shared) is None or not (shared / "run" / "pytorch-0.json").exists():
        first = fwcheat(shared, "run", "res-pid", "--json")
        assert first.returncode == 0, first.stderr
        wait_for_helper(shared)
    return shared


def test_the_helper_answers_as_the_command_itself_would(started: Path) -> None:
    home = started
    before = served(home)
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    answered = fwcheat(home, "run", "res-pid", "--json", cwd=elsewhere)
    assert answered.returncode == 0, answered.stderr
    assert served(home, before + 1) == before + 1  # the helper ran it
    assert printed(answered.stdout, "cwd") == str(elsewhere)  # in the caller's folder
    assert printed(answered.stdout, "leftover") == "False"  # in a fresh namespace

    itself = fwcheat(home, "run", "res-pid", "--json", cwd=elsewhere, FWCHEAT_RESIDENT="0")
    assert itself.returncode == 0, itself.stderr
    time.sleep(0.2)
    assert served(home) == before + 1  # FWCHEAT_RESIDENT=0: the command ran it
    assert without_timings(json.loads(answered.stdout)) == without_timings(json.loads(itself.stdout))
    assert answered.stderr == itself.stderr == ""

    # What the helper cannot answer (no such entry) the command answers, with its own message.
    unknown = fwcheat(home, "run", "res-pdi")
    assert unknown.returncode == 2 and "res-pid" in unknown.stderr


def _on_a_terminal(home: Path, columns: int, **extra: str) -> bytes:
    """`fwcheat run res-pid` with a terminal of ``columns`` as its stdout and stderr: what it drew."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, columns, 0, 0))
    env = env_for(home, TERM="xterm-256color", **extra)
    for name in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "COLORTERM"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "fwcheat", "run", "res-pid"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        cwd=home,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0, b"".join(chunks)
    return b"".join(chunks)


def test_on_a_terminal_the_helper_draws_what_the_command_draws(started: Path) -> None:
    home = started
    before = served(home)
    drawn = _on_a_terminal(home, 72)
    assert served(home, before + 1) == before + 1
    itself = _on_a_terminal(home, 72, FWCHEAT_RESIDENT="0")

    def settle(text: bytes) -> bytes:
        # The pid and the timings differ from run to run, and a timing's width moves the rule beside it.
        text = re.sub(rb"pid \d+", b"pid N", text)
        return re.sub(rb"\d+ ms", b"N ms", text).replace("─".encode(), b"")

    assert b"\x1b[" in drawn  # colours: the helper saw the caller's terminal...
    widest = max(len(line.decode()) for line in re.sub(rb"\x1b\[[0-9;]*m", b"", drawn).splitlines())
    assert widest == 72  # ...and its width
    assert settle(drawn) == settle(itself)


def test_ctrl_c_stops_the_busy_kernel_and_the_helper_serves_on(started: Path) -> None:
    home = started
    kernel = int(json.loads((home / "run" / "pytorch-0.json").read_text())["pid"])
    before = served(home)
    proc = subprocess.Popen(
        [sys.executable, "-m", "fwcheat", "run", "res-slow"],
        env=env_for(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_busy(home)  # inside the snippet's sleep, on the helper's kernel
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert err.strip().endswith("interrupted")
    assert not wait_gone([kernel], timeout=10)  # a busy kernel serves no one: stopped
    assert served(home, before + 1) == before + 1  # the helper took the run, and is still there

    again = fwcheat(home, "run", "res-pid", "--json")  # a new kernel, then the helper again
    assert again.returncode == 0, again.stderr
    assert int(printed(again.stdout, "pid")) != kernel


def test_a_killed_command_leaves_no_busy_kernel(started: Path) -> None:
    home = started
    kernel = int(json.loads((home / "run" / "pytorch-0.json").read_text())["pid"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "fwcheat", "run", "res-slow"],
        env=env_for(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_busy(home)
    proc.kill()  # SIGKILL: the command says nothing, but its end of the socket closes
    proc.wait(timeout=10)
    assert not wait_gone([kernel], timeout=10)
    assert helper(home) is not None
    assert fwcheat(home, "run", "res-pid", "--json").returncode == 0  # a new kernel for what follows


def test_kernels_lists_and_stops_the_helper(started: Path) -> None:
    home = started
    record = helper(home)
    assert record is not None
    listed = fwcheat(home, "kernels", "--json")
    assert json.loads(listed.stdout)["resident"]["pid"] == record["pid"]
    assert "resident run helper: pid" in fwcheat(home, "kernels").stdout
    stopped = fwcheat(home, "kernels", "stop")
    assert stopped.returncode == 0 and f"resident run helper (pid {record['pid']})" in stopped.stdout
    assert not wait_gone([int(str(record["pid"]))], timeout=5)
    assert not (home / "run" / "resident.sock").exists()
    assert not (home / "run" / "resident.json").exists()
    assert json.loads(fwcheat(home, "kernels", "--json").stdout)["resident"] is None


def test_an_idle_helper_exits_and_removes_its_files(home: Path) -> None:
    (home / "config" / "config.toml").write_text("[kernels]\nidle_timeout = 2\n", encoding="utf-8")
    assert fwcheat(home, "run", "res-pid", "--json").returncode == 0
    pid = int(str(wait_for_helper(home)["pid"]))
    assert not wait_gone([pid], timeout=30)
    assert not (home / "run" / "resident.sock").exists()
    assert not (home / "run" / "resident.json").exists()


def _ask(root: Path, request: bytes) -> object:
    import marshal
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(str(root / "resident.sock"))
        socket.send_fds(connection, [len(request).to_bytes(4, "big") + request], [0, 1, 2])
        connection.settimeout(30)
        data = b""
        while chunk := connection.recv(4096):
            data += chunk
    return marshal.loads(data)


def test_the_helper_declines_what_it_must_not_answer(tmp_path: Path) -> None:
    import marshal

    from fwcheat.launch import PROTOCOL, identity

    root = tmp_path / "run"
    root.mkdir(mode=0o700)
    env = {**os.environ, "FWCHEAT_RUNTIME_DIR": str(root)}
    code = "import sys; del sys.path[0]; from fwcheat.resident import main; sys.exit(main(['30']))"
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while not (root / "resident.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (root / "resident.sock").stat().st_mode & 0o077 == 0
        ask_identity = (
            "import sys; del sys.path[0]; from fwcheat.launch import identity; print(identity(sys.path))"
        )
        shown = subprocess.run(
            [sys.executable, "-c", ask_identity], env=env, cwd=tmp_path, capture_output=True, text=True
        )
        ours = ast.literal_eval(shown.stdout)
        assert ours == identity(ours[3])  # the helper's own, as a command of this install sends it
        environ = dict(env)
        streams = (("utf-8", "strict", False), ("utf-8", "backslashreplace", True))
        other = ("0.0.1", *ours[1:])
        asks = {
            "another fwcheat": (PROTOCOL, other, ["run", "x"], str(tmp_path), environ, streams),
            "another protocol": (PROTOCOL + 1, ours, ["run", "x"], str(tmp_path), environ, streams),
            "not a run": (PROTOCOL, ours, ["search", "x"], str(tmp_path), environ, streams),
            "no such folder": (PROTOCOL, ours, ["run", "x"], str(tmp_path / "gone"), environ, streams),
        }
        for why, request in asks.items():
            assert _ask(root, marshal.dumps(request)) == (None,), why
        assert _ask(root, b"\x00not marshal") == (None,)
        assert proc.poll() is None  # still serving
        # A second helper for the same folder leaves at once: one per runtime folder.
        second = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, timeout=30)
        assert second.returncode == 0
        assert proc.poll() is None
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
    assert not (root / "resident.sock").exists()
