"""`fwcheat port --check`: hand the draft to `fwcheat check` (fwcheat.porting.check).

The draft may hold lazy layers (``nn.LazyLinear``…) that only get their shapes on a first call, and
the weight converter needs shapes. So the PyTorch side is built through a small factory file, written
to a temporary folder, that builds the draft's model and runs it once on zeros of the input shape
(integer zeros when the model takes token ids) before `check` loads the weights into it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import TYPE_CHECKING

from fwcheat.frameworks import BY_KEY, DEFAULT_PAIR

if TYPE_CHECKING:
    from fwcheat.porting.check import CheckReport

_FACTORY = """\
import importlib.util

import {module} as _t

_spec = importlib.util.spec_from_file_location("fwcheat_port_draft", {draft!r})
_draft = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_draft)


def build():
    net = getattr(_draft, {name!r})()
    with _t.no_grad():
        try:
            net(_t.zeros({shape!r}))
        except (RuntimeError, IndexError, TypeError):
            net(_t.zeros({shape!r}, dtype=_t.long))  # token ids (an embedding first)
    return net
"""


def factory_spec(given: str | None, default_file: str, default_name: str) -> tuple[str, str]:
    """``NAME`` or ``FILE.py:NAME`` (None: the default name) -> (file, name)."""
    if not given:
        return default_file, default_name
    path, sep, name = given.rpartition(":")
    if sep and path.endswith(".py"):
        return path, name
    if ":" in given:
        raise ValueError(f"{given!r}: give a factory NAME or FILE.py:NAME")
    return default_file, given


def check_draft(
    source_factory: tuple[str, str],
    draft_factory: tuple[str, str],
    shape: tuple[int, ...],
    *,
    params: str | None = None,
    tol: float = 1e-5,
) -> CheckReport:
    """Run `fwcheat check` between the Gluon model and the draft's (PyTorch side materialised first)."""
    from fwcheat.porting.check import check_models

    folder = tempfile.mkdtemp(prefix="fwcheat-port-check-")
    wrapper = os.path.join(folder, "draft_factory.py")
    try:
        with open(wrapper, "w", encoding="utf-8") as f:
            draft, name = draft_factory
            module = BY_KEY[DEFAULT_PAIR[1]].module
            f.write(_FACTORY.format(module=module, draft=os.path.abspath(draft), name=name, shape=shape))
        source = f"{os.path.abspath(source_factory[0])}:{source_factory[1]}"
        return check_models(source, f"{wrapper}:build", params=params, input_shape=shape, tol=tol)
    finally:
        # The kernel that imported the wrapper may have left its __pycache__ beside it.
        shutil.rmtree(folder, ignore_errors=True)
