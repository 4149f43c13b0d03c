"""Packages an entry needs beyond its framework (its ``requires:`` list).

An entry such as a torchvision comparison names ``requires: [torchvision]``.
Each module is checked in the kernels of the snippets that import it (all of
the entry's kernels when no snippet visibly does), once per kernel and verify
run; an entry whose module is missing there is skipped with the reason
instead of failing with an ``ImportError``.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fwcheat.frameworks import RUNNABLE_FRAMEWORKS

if TYPE_CHECKING:
    from fwcheat.kernels.session import KernelPool
    from fwcheat.knowledge.model import Entry, Snippet

#: What the probe prints for a module that is not installed at all.
NOT_INSTALLED = "not installed"


def imported_modules(source: str) -> set[str]:
    """Every module ``source`` imports, and each of their parent packages."""
    names: set[str] = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        # Not Python (a cell magic, a typo): fall back to the import lines.
        for match in re.finditer(r"^\s*(?:from|import)\s+([\w.]+)", source, re.MULTILINE):
            names.add(match.group(1))
    else:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    parents = {".".join(n.split(".")[:i]) for n in names for i in range(1, n.count(".") + 1)}
    return names | parents


def _imports(snippet: Snippet, module: str) -> bool:
    return module in imported_modules(snippet.setup + "\n" + snippet.code)


def unimported(entry: Entry) -> list[str]:
    """The ``requires`` modules no snippet of ``entry`` imports (worth a warning)."""
    snippets = [s for _, s in entry.snippets.items()]
    return [m for m in entry.requires if not any(_imports(s, m) for s in snippets)]


def needed_in(entry: Entry) -> dict[str, list[str]]:
    """framework -> the ``requires`` modules its kernel must be able to import."""
    runnable = [(fw, s) for fw in RUNNABLE_FRAMEWORKS if (s := entry.snippets.get(fw)) is not None]
    needs: dict[str, list[str]] = {}
    for module in entry.requires:
        where = [fw for fw, s in runnable if _imports(s, module)] or [fw for fw, _ in runnable]
        for fw in where:
            needs.setdefault(fw, []).append(module)
    return needs


def probe_code(modules: Sequence[str]) -> str:
    """Kernel code printing ``{module: why it cannot be imported}`` as JSON."""
    return (
        "import importlib as _fw_il, importlib.util as _fw_ilu, json as _fw_json\n"
        "_fw_missing = {}\n"
        f"for _fw_m in {sorted(set(modules))!r}:\n"
        "    try:\n"
        "        if _fw_ilu.find_spec(_fw_m.split('.')[0]) is None:\n"
        f"            _fw_missing[_fw_m] = {NOT_INSTALLED!r}\n"
        "        else:\n"
        "            _fw_il.import_module(_fw_m)\n"
        "    except Exception as _fw_e:  # a broken install: say how it breaks\n"
        "        _fw_missing[_fw_m] = f'{type(_fw_e).__name__}: {_fw_e}'\n"
        "print(_fw_json.dumps(_fw_missing))\n"
    )


def reason(module: str, framework: str, why: str) -> str:
    """The skip reason shown for one missing module."""
    kernel = f"the {framework} kernel"
    if why == NOT_INSTALLED:
        return f"needs {module}, not installed in {kernel}"
    return f"needs {module}, which fails to import in {kernel} ({why.splitlines()[0][:200]})"


async def missing_requirements(pool: KernelPool, entries: Sequence[Entry]) -> dict[str, str]:
    """entry id -> why it must be skipped, for entries whose modules a kernel lacks.

    Each kernel is asked once, about every module any of ``entries`` needs in
    it. A kernel that cannot run at all is left to the normal run to report.
    """
    needs = {e.id: needed_in(e) for e in entries if e.requires}
    per_kernel: dict[str, set[str]] = {}
    for by_fw in needs.values():
        for fw, modules in by_fw.items():
            per_kernel.setdefault(fw, set()).update(modules)
    lacking: dict[str, dict[str, str]] = {}
    for fw, wanted in per_kernel.items():
        result = await pool.run(fw, probe_code(sorted(wanted)), timeout=120.0)
        if not result.ok:
            continue
        try:
            found = json.loads(result.output.strip().splitlines()[-1])
        except (ValueError, IndexError):
            continue
        lacking[fw] = {str(k): str(v) for k, v in found.items()}
    reasons: dict[str, str] = {}
    for entry_id, by_fw in needs.items():
        why = [
            reason(m, fw, lacking[fw][m])
            for fw, modules in by_fw.items()
            for m in modules
            if m in lacking.get(fw, {})
        ]
        if why:
            reasons[entry_id] = "; ".join(why)
    return reasons
