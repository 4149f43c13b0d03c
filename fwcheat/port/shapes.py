"""Each Gluon layer's input shape, recorded by running the source model once in the MXNet kernel.

`fwcheat port --input-shape` fills ``in_features``/``in_channels``/``num_features`` from these, so the
draft uses plain layers instead of lazy ones. The model runs in fwcheat's MXNet kernel (never in
fwcheat's own process): the file is run with ``runpy``, every layer remembers the line of the file
that built it, a forward pre-hook on every block records the shape it receives, and one forward pass
on zeros of the given shape fills the table. Keys are (line, column, layer class); a call that built layers
receiving different shapes is left out (the draft keeps the lazy layer there).
"""

from __future__ import annotations

import json

from fwcheat.frameworks import DEFAULT_PAIR, label
from fwcheat.scan.profiles import PROFILES

MARK = "FWCHEAT-PORT-SHAPES:"

_RECORDER = """
import json as _json, runpy as _runpy, sys as _sys
import {root} as _mx
_Block = _mx.{block}
_path, _factory, _shape = {path!r}, {factory!r}, {shape!r}
_built = {{}}
_block_init = _Block.__init__
def _init(self, *args, **kwargs):
    _block_init(self, *args, **kwargs)
    _frame = _sys._getframe(1)
    while _frame is not None and _frame.f_code.co_filename != _path:
        _frame = _frame.f_back
    if _frame is not None:
        _where = None
        if hasattr(_frame.f_code, "co_positions"):
            _where = list(_frame.f_code.co_positions())[_frame.f_lasti // 2]
        _line = _where[0] if _where and _where[0] else _frame.f_lineno
        _col = _where[2] if _where and _where[2] is not None else -1
        _built.setdefault(id(self), (_line, _col, type(self).__name__))
_Block.__init__ = _init
_argv, _sys.argv = _sys.argv, [_path]
try:
    _namespace = _runpy.run_path(_path, run_name="__fwcheat_port__")
    if _factory not in _namespace:
        raise LookupError(f"{{_path}} defines no {{_factory!r}}; name the model's factory with --model")
    _net = _namespace[_factory]()
finally:
    _Block.__init__ = _block_init
    _sys.argv = _argv
_seen = {{}}
def _walk(block):
    yield block
    for child in block._children.values():
        yield from _walk(child() if callable(child) and not isinstance(child, _Block) else child)
def _hook(block, inputs):
    key = _built.get(id(block))
    if key is not None and inputs and hasattr(inputs[0], "shape"):
        _seen.setdefault("%d:%d:%s" % key, set()).add(tuple(inputs[0].shape))
        _seen.setdefault("%d:-1:%s" % (key[0], key[2]), set()).add(tuple(inputs[0].shape))
for _block in _walk(_net):
    _block.register_forward_pre_hook(_hook)
_net.initialize()
_net(_mx.{zeros}(_shape))
print({mark!r} + _json.dumps({{k: sorted(v) for k, v in _seen.items()}}))
"""


class ShapeError(RuntimeError):
    """The model could not be built or run in the kernel; the message says why."""


def parse_shape(text: str) -> tuple[int, ...]:
    """``"1,3,28,28"`` -> (1, 3, 28, 28); ValueError with the fix otherwise."""
    try:
        shape = tuple(int(part) for part in text.replace("x", ",").split(",") if part.strip())
    except ValueError:
        raise ValueError(f"--input-shape {text!r}: give sizes separated by commas, e.g. 1,3,28,28") from None
    if not shape or any(size <= 0 for size in shape):
        raise ValueError(f"--input-shape {text!r}: every size must be a positive integer")
    return shape


def recorder(path: str, factory: str, shape: tuple[int, ...]) -> str:
    """The code run in the MXNet kernel."""
    profile = PROFILES[DEFAULT_PAIR[0]]
    package = profile.op_namespace_owner.split(".", 1)[1].rsplit(".", 1)[0]  # where Block lives
    return _RECORDER.format(
        root=profile.roots[0],
        block=f"{package}.Block",
        zeros=profile.op_namespace.split(".", 1)[1] + ".zeros",
        path=path,
        factory=factory,
        shape=shape,
        mark=MARK,
    )


def parse_output(stdout: str) -> dict[tuple[int, int, str], tuple[int, ...]]:
    """The recorder's printed table -> {(line, column, layer class): the one input shape it saw}.

    Column -1 stands for the whole line (used when the column of a call is not known).
    """
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARK):
            table = json.loads(line[len(MARK) :])
            break
    else:
        raise ShapeError("the model ran but recorded no shapes")
    found: dict[tuple[int, int, str], tuple[int, ...]] = {}
    for key, shapes in table.items():
        line_text, col_text, cls = key.split(":", 2)
        if len(shapes) == 1:
            found[(int(line_text), int(col_text), cls)] = tuple(shapes[0])
    return found


def record(
    path: str, factory: str, shape: tuple[int, ...], timeout: float = 120.0
) -> dict[tuple[int, int, str], tuple[int, ...]]:
    """Run the Gluon model in the MXNet kernel and return each layer's input shape by source line."""
    from fwcheat.kernels.session import KernelPool, run_sync

    source = DEFAULT_PAIR[0]

    async def go() -> tuple[bool, str, str]:
        async with KernelPool("cpu") as pool:
            result = await pool.run(source, recorder(path, factory, shape), timeout=timeout)
            error = str(result.error) if result.error is not None else ""
            return result.ok, result.stdout, error

    ok, stdout, error = run_sync(go())
    if not ok:
        last = error.strip().splitlines()[-1] if error.strip() else "the kernel did not answer"
        raise ShapeError(f"running {path} in the {label(source)} kernel failed: {last}")
    return parse_output(stdout)
