"""Regenerate docs/tui.svg: a screenshot of the fwcheat TUI.

Runs the app headless at 160x48 on the bundled knowledge base (a private
cache and config dir, so your own entries stay out of the picture), types a
query, runs both snippets in real kernels (unless ``--no-run``) and saves the
screen with Textual's ``save_screenshot``.

Usage: ``.venv/bin/python scripts/screenshot_tui.py [--query Q] [--no-run] [--out docs/tui.svg]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


async def shoot(query: str, run: bool, out: Path, size: tuple[int, int]) -> None:
    from textual.widgets import Input, TextArea

    from fwcheat.tui.app import FwcheatApp
    from fwcheat.tui.widgets.pair_view import PairView

    app = FwcheatApp(query, start_kernels=run)
    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + 300
        while not app.query(PairView) or app.pair.entry is None:
            await pilot.pause(0.1)
        if run:
            while any(app.bridge.state(fw) not in ("idle", "unavailable") for fw in app.frameworks):
                if time.monotonic() > deadline:
                    raise SystemExit("the kernels did not start in time")
                await pilot.pause(0.2)
            await pilot.press("ctrl+t")
            while "agree" not in str(app.query_one("#verdict").render()) and time.monotonic() < deadline:
                await pilot.pause(0.2)
        for widget in app.query(Input):
            widget.cursor_blink = False
        for area in app.query(TextArea):
            area.cursor_blink = False
        await pilot.pause(0.3)
        out.parent.mkdir(parents=True, exist_ok=True)
        app.save_screenshot(filename=out.name, path=str(out.parent))
        await app.bridge.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="attach_grad")
    parser.add_argument("--no-run", action="store_true", help="do not start kernels or run the snippets")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "tui.svg")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fwcheat-shot-") as tmp:
        os.environ["FWCHEAT_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")
        os.environ.pop("FWCHEAT_KNOWLEDGE_PATH", None)
        asyncio.run(shoot(args.query, not args.no_run, args.out.resolve(), (160, 48)))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
