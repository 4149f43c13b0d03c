"""The TUI's helpers that hold no widgets stay importable without Textual (and without kernels)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_headless_helpers_do_not_import_textual() -> None:
    code = (
        "import sys, json\n"
        "import fwcheat.tui.catalog, fwcheat.tui.save, fwcheat.tui.kernels\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'jupyter_client', 'torch', 'mxnet'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout) == []


def test_app_module_does_not_load_the_engine_or_frameworks() -> None:
    # jupyter_client, numpy and the frameworks load after the first frame, in a worker.
    code = (
        "import sys, json\n"
        "import fwcheat.tui.app\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jupyter_client', 'numpy', 'torch', 'mxnet', 'zmq', 'msgspec', 'yaml'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout) == []
