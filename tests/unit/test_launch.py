"""The `fwcheat` command's first step (fwcheat.launch): cheap, private, and never in the way."""

from __future__ import annotations

import marshal
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from fwcheat import launch

ROOT = Path(__file__).resolve().parents[2]


def test_the_socket_is_used_only_in_a_private_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "run"
    monkeypatch.setenv("FWCHEAT_RUNTIME_DIR", str(folder))
    assert launch.socket_path() is None  # no folder yet
    folder.mkdir(mode=0o700)
    folder.chmod(0o700)
    assert launch.socket_path() == str(folder / "resident.sock")
    folder.chmod(0o770)  # someone else could put a socket there and read the environment sent to it
    assert launch.socket_path() is None


def test_without_a_helper_the_command_runs_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("FWCHEAT_RUNTIME_DIR", str(folder))
    monkeypatch.delenv("FWCHEAT_RESIDENT", raising=False)
    monkeypatch.delenv("FWCHEAT_QUICK_RUN", raising=False)
    calls: list[list[str]] = []
    monkeypatch.setattr("fwcheat.cli.main", lambda argv: calls.append(list(argv)) or 7)
    monkeypatch.setattr(launch, "missing", False)
    assert launch.main(["run", "x"]) == 7
    assert calls == [["run", "x"]]
    assert launch.missing  # so the run, if it uses warm kernels, starts a helper for the next one

    monkeypatch.setattr(launch, "missing", False)
    monkeypatch.setenv("FWCHEAT_RESIDENT", "0")
    assert launch.main(["run", "x"]) == 7
    assert not launch.missing  # not even asked
    monkeypatch.delenv("FWCHEAT_RESIDENT")
    assert launch.main(["search", "x"]) == 7  # only `run` is ever handed over
    assert not launch.missing


class FakeHelper:
    """A helper that answers every request with ``answer`` and keeps what it was sent."""

    def __init__(self, folder: Path, answer: bytes) -> None:
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(folder / "resident.sock"))
        self.server.listen(4)
        self.answer = answer
        self.requests: list[tuple[object, int]] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                data, fds, _flags, _address = socket.recv_fds(connection, 1 << 20, 3)
                for fd in fds:
                    os.close(fd)
                self.requests.append((marshal.loads(data[4:]), len(fds)))
                connection.sendall(self.answer)

    def close(self) -> None:
        self.server.close()


def test_a_helper_answer_is_the_commands_exit_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("FWCHEAT_RUNTIME_DIR", str(folder))
    monkeypatch.setattr("fwcheat.cli.main", lambda argv: 99)
    fake = FakeHelper(folder, marshal.dumps((3,)))
    try:
        assert launch.main(["run", "some-id", "--json"]) == 3
        [(request, descriptors)] = fake.requests
        protocol, who, arguments, cwd, environ, streams = request  # type: ignore[misc]
        assert protocol == launch.PROTOCOL and who == launch.identity()
        assert arguments == ["run", "some-id", "--json"] and cwd == os.getcwd()
        assert environ == dict(os.environ) and len(streams) == 2
        assert descriptors == 3  # stdin, stdout, stderr
        fake.answer = marshal.dumps((None,))  # declined: the command runs it itself
        assert launch.main(["run", "some-id"]) == 99
    finally:
        fake.close()


def test_the_installed_command_imports_no_re_before_the_helper_answers(tmp_path: Path) -> None:
    """The `fwcheat` script is not a generated console script: those `import re` first (~6 ms)."""
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    fake = FakeHelper(folder, marshal.dumps((0,)))
    env = {**os.environ, "FWCHEAT_RUNTIME_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    env.pop("FWCHEAT_RESIDENT", None)
    env.pop("FWCHEAT_QUICK_RUN", None)
    try:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", str(ROOT / "scripts" / "fwcheat"), "run", "x"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        fake.close()
    assert done.returncode == 0, done.stderr
    assert len(fake.requests) == 1
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "fwcheat.launch" in imported
    assert not imported & {"re", "enum", "socket", "signal", "json", "fwcheat.cli"}
    assert (ROOT / "scripts" / "fwcheat").read_text(encoding="utf-8").startswith("#!/usr/bin/env python3\n")
