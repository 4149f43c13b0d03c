"""Porting a trained model: convert its checkpoint and check the port computes the same thing.

- :func:`convert_weights` (``fwcheat weights convert``): a source checkpoint
  (a ``.params`` file or a Module prefix) -> the target module's state_dict and
  an editable mapping YAML.
- :func:`check_models` (``fwcheat check``): both models in their kernels, same
  weights and input, layer outputs (and gradients) compared.

Both raise :class:`PortingError` for input the user must fix. Each framework
runs in its own Jupyter kernel (:mod:`fwcheat.porting.sides`); importing this
package imports no framework. The async forms (``convert_async``,
``check_async``) are for callers that already run an event loop (a notebook).
"""

from __future__ import annotations

from typing import Any

__all__ = ["PortingError", "check_async", "check_models", "convert_async", "convert_weights"]


def __getattr__(name: str) -> Any:
    if name in ("convert_weights", "convert_async"):
        from fwcheat.porting import convert

        return getattr(convert, name)
    if name in ("check_models", "check_async"):
        from fwcheat.porting import check

        return getattr(check, name)
    if name == "PortingError":
        from fwcheat.porting.sides import PortingError

        return PortingError
    raise AttributeError(name)
