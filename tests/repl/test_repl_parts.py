"""The REPL's pure parts: block completeness, command parsing, hints, command completion."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from rich.console import Console

from fwcheat.repl.blocks import _codeop_state, block_state
from fwcheat.repl.commands import CommandError, framework_name, parse_command
from fwcheat.repl.hints import HintIndex, used_names
from fwcheat.store import open_store


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1 + 1", ("complete", 0)),
        ("for i in range(3):", ("incomplete", 4)),
        ("for i in range(3):\n    print(i)", ("incomplete", 4)),  # a block ends with a blank line
        ("for i in range(3):\n    print(i)\n    ", ("complete", 0)),
        ("def f(x):\n    if x:", ("incomplete", 8)),
        ("x = (1,", ("incomplete", 0)),
        ("x = 1\ny = 2", ("complete", 0)),
        (")", ("invalid", 0)),
    ],
)
def test_block_state_follows_ipython(code: str, expected: tuple[str, int]) -> None:
    assert block_state(code) == expected


def test_codeop_fallback_agrees_on_blocks() -> None:
    assert _codeop_state("for i in x:")[0] == "incomplete"
    assert _codeop_state("for i in x:\n    print(i)") == ("incomplete", 4)
    assert _codeop_state("for i in x:\n    print(i)\n") == ("complete", 0)
    assert _codeop_state("x = 1")[0] == "complete"
    assert _codeop_state(")")[0] == "invalid"


def test_parse_command_names_aliases_and_arguments() -> None:
    assert parse_command(":search  autograd record ").arg == "autograd record"
    assert parse_command(":fw mx").name == "framework"
    assert parse_command(":pair").arg == ""
    assert parse_command(":exit").name == "quit"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (":serch x", "did you mean :search"),
        (":load", "usage: :load ID"),
        (":restart now", "takes no argument"),
        (":show a b", "one argument only"),
        (":nonsense", ":help lists them"),
    ],
)
def test_parse_command_errors_say_what_to_type(line: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse_command(line)


def test_framework_names() -> None:
    assert framework_name("Torch") == "pytorch"
    assert framework_name("gluon") == "mxnet"
    with pytest.raises(CommandError, match="use pytorch or mxnet"):
        framework_name("jax")


def test_used_names_reads_half_typed_code() -> None:
    assert used_names("y = nd.array([1]).asnumpy(") == ["nd.array", "asnumpy"]
    assert used_names("torch.ones(3, ctx=ctx") == ["torch.ones", "ctx"]


@pytest.fixture(scope="module")
def hints() -> HintIndex:
    return HintIndex(open_store())


@pytest.mark.parametrize(
    ("code", "framework", "name", "expected_in_line"),
    [
        ("x.attach_grad()", "pytorch", "attach_grad", "requires_grad"),
        ("a = nd.array([1, 2])", "pytorch", "nd.array", "torch.tensor"),
        ("w.asnumpy()", "pytorch", "asnumpy", "numpy()"),
        ("x.requires_grad_()", "mxnet", "requires_grad_", "attach_grad"),
        ("t.unsqueeze(0)", "mxnet", "unsqueeze", "expand_dims"),
    ],
)
def test_foreign_api_gets_this_frameworks_idiom(
    hints: HintIndex, code: str, framework: str, name: str, expected_in_line: str
) -> None:
    hint = hints.hint(code, framework)
    assert hint is not None
    assert hint.name == name
    assert hint.framework == framework and hint.foreign != framework
    assert expected_in_line in hint.line
    assert hint.entry.snippets.get(framework) is not None
    assert f":load {hint.entry.id}" in hint.text()


@pytest.mark.parametrize(
    ("code", "framework"),
    [
        ("x = torch.ones(3)\nx.sum().backward()", "pytorch"),  # its own API
        ("a = nd.ones(3, ctx=ctx)\na.attach_grad()", "mxnet"),
        ("import numpy as np\nnp.array([1, 2]).copy()", "pytorch"),  # NumPy is on both sides
        ("net.weight.data()", "pytorch"),  # `data` is too generic to tell
        ("d = {}\nd.keys()", "mxnet"),
    ],
)
def test_ordinary_code_gets_no_hint(hints: HintIndex, code: str, framework: str) -> None:
    assert hints.hint(code, framework) is None


@pytest.mark.parametrize(
    ("code", "framework"),
    [
        ("opt.zero_grad()", "pytorch"),  # zero_grad exists on both sides
        ("trainer.zero_grad()", "mxnet"),
        ("nn.Sequential()", "pytorch"),  # so does nn.Sequential
        ("nn.Sequential()", "mxnet"),
        ("nn.Dense(3)", "mxnet"),  # this framework's own API
        ("a.sum(axis=0)", "mxnet"),  # axis is MXNet's own keyword
    ],
)
def test_only_names_of_one_framework_trigger(hints: HintIndex, code: str, framework: str) -> None:
    assert hints.hint(code, framework) is None


def test_hints_read_the_same_map_as_scan(hints: HintIndex) -> None:
    from fwcheat.scan.report import Scanner

    hint = hints.hint("y = nn.BatchNorm(momentum=0.9)", "pytorch")
    assert hint is not None and hint.entry.id == "batchnorm"
    scanner = Scanner(open_store().api_map("mxnet", "pytorch"))
    findings = scanner.scan_code("from mxnet.gluon import nn\ny = nn.BatchNorm()\n", "x.py")
    assert isinstance(findings, list)
    assert [(f.entry, f.target) for f in findings] == [(hint.entry.id, hint.line)]
    keyword = hints.hint("torch.ones(3, ctx=ctx)", "pytorch")
    assert keyword is not None and keyword.name == "ctx" and keyword.foreign == "mxnet"


def _command_completions(text: str) -> list[str]:
    from fwcheat.repl.completion import ReplCompleter
    from fwcheat.repl.engine import ReplEngine

    engine = ReplEngine(Console(file=None), pool=_NoPool())  # type: ignore[arg-type]
    completer = ReplCompleter(engine)
    return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]


class _NoPool:
    """Command completion must not need a kernel; this pool has none."""

    def __init__(self) -> None:
        self.kernels: dict[str, object] = {}


def test_commands_complete() -> None:
    assert _command_completions(":")[:3] == [":search", ":show", ":load"]
    assert _command_completions(":fr") == [":framework"]
    assert _command_completions(":framework m") == ["mxnet"]
    assert _command_completions(":device cu")[0] == "cuda:0"
    ids = _command_completions(":load autograd-rec")
    assert ids[0] == "autograd-record"
    assert "autograd-record" in _command_completions(":show grad")  # substring matches too
    assert _command_completions("x.att") == []  # code goes to the kernel, not here


def test_engine_and_commands_do_not_import_prompt_toolkit() -> None:
    code = (
        "import sys, fwcheat.repl.engine, fwcheat.repl.hints, fwcheat.repl.blocks, fwcheat.commands.repl\n"
        "bad = [m for m in sys.modules if m.startswith(('prompt_toolkit', 'textual'))]\n"
        "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_only_code_and_kernel_commands_wait_for_the_kernel() -> None:
    from fwcheat.repl.engine import ReplEngine

    engine = ReplEngine(Console(file=None), pool=_NoPool())  # type: ignore[arg-type]
    assert engine.needs_kernel("x = 1")
    assert engine.needs_kernel(":run autograd-record") and engine.needs_kernel(":fw mxnet")
    assert not engine.needs_kernel(":search grad") and not engine.needs_kernel(":help")
    assert not engine.needs_kernel(":bogus") and not engine.needs_kernel("   ")


def test_history_lives_in_the_user_data_dir() -> None:
    import os

    from prompt_toolkit.history import FileHistory

    from fwcheat.repl.session import default_history, history_path

    assert history_path() == Path(os.environ["XDG_DATA_HOME"]) / "fwcheat" / "repl_history"
    history = default_history()
    assert isinstance(history, FileHistory)
    history.store_string("x = 1\nprint(x)")
    assert next(iter(FileHistory(str(history_path())).load_history_strings())) == "x = 1\nprint(x)"


def test_scan_command_maps_the_other_frameworks_api_to_this_one(tmp_path: Path) -> None:
    import asyncio
    import io

    from fwcheat.repl.engine import ReplEngine

    model = tmp_path / "gluon\x1b[31m.py"
    model.write_text("from mxnet.gluon import nn\nbn = nn.BatchNorm(momentum=0.9)\n", encoding="utf-8")
    out = io.StringIO()
    engine = ReplEngine(Console(file=out, width=200), pool=_NoPool())  # type: ignore[arg-type]
    assert engine.framework == "pytorch"
    asyncio.run(engine.handle(f":scan {model}"))
    text = out.getvalue()
    assert "\x1b" not in text and "gluon\\x1b[31m.py:2:6  mx.gluon.nn.BatchNorm  →  PyTorch: " in text
    assert "[batchnorm]" in text and "momentum=0.1" in text
    assert "2 uses of MXNet/Gluon API" in text
    out.truncate(0)
    asyncio.run(engine.handle(f":scan {tmp_path / 'missing.py'}"))
    assert "no such file" in out.getvalue()
