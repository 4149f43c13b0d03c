"""The engine stays headless and cheap to import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize(
    "module",
    ["fwcheat.kernels.session", "fwcheat.verify", "fwcheat.run", "fwcheat.compare", "fwcheat.record"],
)
def test_engine_never_imports_ui_or_frameworks(module: str) -> None:
    modules = loaded_after(f"import {module}")
    for forbidden in ("rich", "textual", "prompt_toolkit", "torch", "mxnet", "numpy"):
        assert forbidden not in modules, f"{module} imports {forbidden}"


def test_kernels_package_does_not_import_jupyter_client() -> None:
    assert "jupyter_client" not in loaded_after("import fwcheat.kernels.session")


@pytest.mark.parametrize("command", ["run", "verify", "doctor"])
def test_command_modules_import_only_the_standard_library(command: str) -> None:
    before = loaded_after("import fwcheat.commands")
    after = loaded_after(f"import fwcheat.commands.{command}")
    new = {m.split(".")[0] for m in after - before} - {"fwcheat"}
    assert new <= set(sys.stdlib_module_names), new - set(sys.stdlib_module_names)
