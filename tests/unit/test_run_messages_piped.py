"""`fwcheat run` / `verify` messages into a pipe or log: one line each, never hard-wrapped at 80 columns."""

from __future__ import annotations

import pytest

from fwcheat.cli import main


def test_missing_framework_message_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    # Refused before any kernel starts: autograd-record has no Keras snippet.
    assert main(["run", "autograd-record", "-f", "keras"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "has no Keras snippet (it has PyTorch, MXNet/Gluon, TensorFlow)" in err  # as `show` names them


def test_verify_unknown_entry_message_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "no-such-entry-with-a-rather-long-name-to-pass-eighty-columns-x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-entry-with-a-rather-long-name-to-pass-eighty-columns-x" in err
