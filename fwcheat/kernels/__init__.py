"""Running snippets for real: one Jupyter kernel per framework.

The interface, smallest first:

- :class:`~fwcheat.kernels.base.Kernel` (implemented by
  :class:`~fwcheat.kernels.jupyter.JupyterKernel`): ``start``, ``execute``,
  ``interrupt``, ``restart``, ``shutdown``, ``complete``, ``is_complete``, all
  async. ``execute(code, timeout, on_output)`` returns an
  :class:`~fwcheat.kernels.base.ExecutionResult` (stdout, stderr, last value,
  display data and images, error, duration, status ok / error / timed out /
  interrupted / died with the reason); ``on_output`` receives each
  :class:`~fwcheat.kernels.base.OutputEvent` as it arrives, for streaming.
- :class:`~fwcheat.kernels.session.KernelPool`: the engine every front end
  drives. One kernel per framework of :mod:`fwcheat.frameworks`, started when
  first needed (kernelspecs from ``config.toml``, see
  :mod:`fwcheat.kernels.config`); it owns each kernel's state (off, starting,
  idle, busy, dead, unavailable) and reports every change through one
  callback. ``run(framework, code, setup=..., fetch=...)`` runs in a fresh
  namespace with the framework's device variable bound; ``run_entry`` runs
  an entry's snippets at once and returns each result with its verdict
  against the reference framework; ``restart``, ``set_device`` (checked),
  ``interrupt``, ``poll``. Kernels come from an injectable factory.
  ``async with KernelPool(...)`` shuts the kernels down.
- :func:`~fwcheat.kernels.session.run_sync` runs a coroutine for synchronous
  callers (the CLI) with SIGTERM/SIGHUP handled like Ctrl-C.

Nothing here imports rich or Textual; importing this package imports nothing
else (the names above load on first use), and jupyter_client only when a kernel starts.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported on `run`'s quick path
if TYPE_CHECKING:
    from typing import Any

    from fwcheat.kernels.base import (
        OUTPUT_CAP,
        Completion,
        ErrorInfo,
        ExecutionResult,
        Kernel,
        KernelError,
        OutputEvent,
        Status,
    )

__all__ = [
    "OUTPUT_CAP",
    "Completion",
    "ErrorInfo",
    "ExecutionResult",
    "Kernel",
    "KernelError",
    "OutputEvent",
    "Status",
]


def __getattr__(name: str) -> Any:
    # Lazy: the quick path of `fwcheat run` imports fwcheat.kernels.zmtp without the rest.
    if name in __all__:
        from fwcheat.kernels import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
