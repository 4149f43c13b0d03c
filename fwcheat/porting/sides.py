"""The two kernels a port is checked in: the source framework's and the target's.

``fwcheat weights`` and ``fwcheat check`` never load two frameworks in one
process. The checkpoint is read and the source model built in the source
framework's kernel, the target module in the target's; arrays move between them
as ``.npz`` files in a private temporary directory, removed at the end.

This module is the porting code's only contact with the kernel backend, and it
uses the smallest part of it: start a framework's kernel, run code there. The
kernel-side functions live in ``kernel/*.py.in`` (text sent to the kernel, one
file per framework key, after ``common.py.in``); each writes its answer as JSON
to a file named by the host.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from fwcheat.frameworks import DEFAULT_PAIR, label

#: The framework a checkpoint comes from and the one it is ported to (table keys).
SOURCE, TARGET = DEFAULT_PAIR
MODULE = "_fwcheat_porting"
#: How long one step in a kernel may take (reading a big checkpoint, a forward pass).
STEP_TIMEOUT = 600.0


class PortingError(RuntimeError):
    """A problem the user can fix: bad input, an import failure, a mismatch."""


@cache
def kernel_source(framework: str) -> str:
    folder = Path(__file__).with_name("kernel")
    common = (folder / "common.py.in").read_text(encoding="utf-8")
    return common + "\n\n" + (folder / f"{framework}.py.in").read_text(encoding="utf-8")


class Sides:
    """Both kernels and a private work directory; ``async with Sides() as sides:``."""

    def __init__(self, *, pool: Any = None, timeout: float = STEP_TIMEOUT) -> None:
        """With ``pool`` (a started ``KernelPool``), its kernels are used and left running."""
        self.timeout = timeout
        self.workdir = Path(tempfile.mkdtemp(prefix="fwcheat-port-"))  # 0700
        self._pool: Any = pool
        self._owned = pool is None
        self._installed: set[str] = set()
        self._count = itertools.count()

    async def __aenter__(self) -> Sides:
        if not self._owned:
            return self
        from fwcheat.kernels.session import KernelPool

        self._pool = KernelPool("cpu")
        infos = await self._pool.start(SOURCE, TARGET)
        problems = [info.error for info in infos.values() if info.error]
        if problems:
            await self.close()
            raise PortingError("; ".join(problems))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._pool is not None and self._owned:
            await self._pool.shutdown()
        self._pool = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def path(self, name: str) -> str:
        """A file in the private work directory."""
        return str(self.workdir / name)

    async def call(self, framework: str, function: str, **kwargs: Any) -> Any:
        """Run the kernel-side ``function(**kwargs)`` in ``framework``'s kernel; its answer."""
        assert self._pool is not None, "use `async with Sides()`"
        answer = self.workdir / f"answer-{next(self._count)}.json"
        code = ""
        if framework not in self._installed:
            code += (
                "import sys as _fw_sys, types as _fw_types\n"
                f"_fw_m = _fw_types.ModuleType({MODULE!r})\n"
                f"exec(compile({kernel_source(framework)!r}, '<fwcheat porting>', 'exec'), _fw_m.__dict__)\n"
                f"_fw_sys.modules[{MODULE!r}] = _fw_m\n"
                "del _fw_sys, _fw_types, _fw_m\n"
            )
        code += (
            f"import json as _fw_json\n__import__({MODULE!r}).answer({str(answer)!r}, "
            f"__import__({MODULE!r}).{function}, _fw_json.loads({json.dumps(kwargs)!r}))\n"
        )
        result = await self._pool.run(framework, code, fresh=False, timeout=self.timeout)
        if not result.ok:
            why = result.reason or (str(result.error) if result.error else result.status.value)
            raise PortingError(f"the {label(framework)} kernel failed: {why}")
        self._installed.add(framework)
        try:
            reply = json.loads(answer.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PortingError(f"the {label(framework)} kernel gave no answer ({exc})") from None
        if "error" in reply:
            message = reply["error"]
            if reply.get("kind") == "internal":
                message = f"{label(framework)} side: {message}\n{reply.get('traceback', '')}".rstrip()
            raise PortingError(message)
        return reply["ok"]


def absolute(path: str | os.PathLike[str]) -> str:
    return os.path.abspath(os.fspath(path))
