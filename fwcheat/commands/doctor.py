"""`fwcheat doctor`: what fwcheat can run here, and how to fix what is missing."""

from __future__ import annotations

import argparse
import sys
from typing import Any

HELP = "check the frameworks, kernels and devices fwcheat can use here"
DESCRIPTION = (
    "Start each framework's kernel and report where it runs (interpreter, "
    "kernelspec), the versions installed, the GPUs it sees, and for anything "
    "missing the command that fixes it. Exits 1 when a framework cannot run."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def _collect() -> dict[str, Any]:
    import platform

    import jupyter_client

    from fwcheat import __version__, frameworks
    from fwcheat.kernels.config import ConfigError, load_kernel_config
    from fwcheat.kernels.session import KernelPool, run_sync

    report: dict[str, Any] = {
        "fwcheat": __version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "jupyter_client": jupyter_client.__version__,
        "frameworks": {},
        "problems": [],
    }
    try:
        import ipykernel

        report["ipykernel"] = ipykernel.__version__
    except ImportError:
        report["ipykernel"] = None
        report["problems"].append({"problem": "ipykernel is not installed", "fix": "pip install ipykernel"})
    try:
        from fwcheat.knowledge.sources import user_dir

        report["user_knowledge"] = str(user_dir())
    except ImportError:
        pass
    try:
        config = load_kernel_config()
    except ConfigError as exc:
        report["problems"].append({"problem": str(exc), "fix": "correct or remove the file"})
        return report
    report["config"] = str(config.path)
    report["config_exists"] = bool(config.path and config.path.is_file())
    report["warm"] = config.warm
    try:
        from fwcheat.kernels.warm import runtime_root, warm_kernels

        root = runtime_root()
        report["runtime_dir"] = root
        report["warm_kernels"] = [k.to_dict() for k in warm_kernels(root)]
    except OSError as exc:  # run and verify fall back to private kernels: worth a line, not a failure
        report["runtime_dir"] = None
        report["warm_kernels"] = []
        report["runtime_error"] = str(exc)
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        report["kernelspecs"] = KernelSpecManager().find_kernel_specs()
    except Exception as exc:
        report["kernelspecs"] = {}
        report["problems"].append({"problem": f"cannot list kernelspecs: {exc}", "fix": ""})

    async def probe() -> dict[str, Any]:
        async with KernelPool("cpu", config=config) as pool:
            infos = await pool.start(*frameworks.RUNNABLE_FRAMEWORKS)
            return {fw: info for fw, info in infos.items()}

    infos = run_sync(probe())
    for fw, info in infos.items():
        row = frameworks.get(fw)
        spec = config.kernel_for(fw)
        entry: dict[str, Any] = {
            "kernel": info.kernel,
            "ok": not info.error,
            "python": info.probe.get("python"),
            "executable": info.probe.get("executable"),
            "version": info.probe.get(row.version_module),
            "numpy": info.probe.get("numpy"),
            "gpus": info.gpus,
            "devices": [row.device_name("cpu"), *(row.device_name("gpu", i) for i in range(info.gpus))],
        }
        if info.error:
            entry["error"] = info.error
            if spec and spec not in report["kernelspecs"]:
                fix = (
                    f"in the environment meant for {fw}: python -m ipykernel install --user "
                    f"--name {spec}  (or remove it from {config.path})"
                )
            else:
                # The error already ends with the install command: say it once.
                fix = "" if row.install_hint in info.error else row.install_hint
                if fix and spec:
                    fix += f"  (in the environment of kernel {spec!r})"
            report["problems"].append({"problem": f"{fw}: {info.error}", "fix": fix})
        elif row.numpy_below and entry["numpy"] and _too_new(row.numpy_below, str(entry["numpy"])):
            report["problems"].append(
                {
                    "problem": f"{fw} {entry['version']} breaks on numpy {entry['numpy']}",
                    "fix": f"pip install 'numpy<{row.numpy_below}'",
                }
            )
        report["frameworks"][fw] = entry
    return report


def _too_new(limit: str, version: str) -> bool:
    """True when ``version`` is not below ``limit`` (both dotted numbers)."""

    def parts(text: str) -> tuple[int, ...]:
        return tuple(int(p) for p in text.split(".")[:3] if p.isdigit())

    return parts(version) >= parts(limit)


def main(args: argparse.Namespace) -> int:
    from rich.table import Table
    from rich.text import Text

    report = _collect()
    ok = not report["problems"] and all(f["ok"] for f in report["frameworks"].values())
    if args.json:
        import json

        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        return 0 if ok else 1
    from fwcheat.commands._common import console

    out = console()
    out.print(
        f"fwcheat {report['fwcheat']} · Python {report['python']} ({report['executable']})",
        markup=False,
    )
    out.print(
        f"jupyter_client {report['jupyter_client']} · ipykernel {report.get('ipykernel') or 'missing'}",
        markup=False,
    )
    if "config" in report:
        state = "" if report["config_exists"] else " (not present; defaults apply)"
        out.print(f"config: {report['config']}{state}", markup=False)
    if "user_knowledge" in report:
        out.print(f"your knowledge files: {report['user_knowledge']}", markup=False)
    table = Table(title="frameworks", title_justify="left")
    for column in ("framework", "status", "version", "kernel", "python", "GPUs", "devices"):
        table.add_column(column)
    for fw, f in report["frameworks"].items():
        gpus = int(f.get("gpus") or 0)
        devices = ", ".join(f.get("devices") or [])
        table.add_row(
            fw,
            Text("ok", style="green") if f["ok"] else Text("missing", style="bold red"),
            str(f.get("version") or "-"),
            f["kernel"],
            f"{f.get('python') or '-'} {f.get('executable') or ''}".strip(),
            str(gpus),
            devices if f["ok"] else "-",
        )
    if not out.is_terminal:  # into a pipe or file (an issue report): the table as wide as it needs
        out.width = 1000
    out.print(table)
    specs = report.get("kernelspecs", {})
    if specs:
        out.print("kernelspecs: " + ", ".join(f"{n} ({p})" for n, p in sorted(specs.items())), markup=False)
    if report.get("runtime_error"):
        out.print(
            f"warm kernels: unavailable, no private runtime folder ({report['runtime_error']}); "
            "set FWCHEAT_RUNTIME_DIR to a folder you own",
            markup=False,
        )
    elif report.get("runtime_dir"):
        warm = report.get("warm_kernels", [])
        if not report.get("warm", True):
            state = "off (`warm = false` in the config file)"
        elif warm:
            state = f"{len(warm)} running (`fwcheat kernels` lists them, `fwcheat kernels stop` ends them)"
        else:
            state = "none running"
        out.print(f"warm kernels: {state}; {report['runtime_dir']}", markup=False)
    for problem in report["problems"]:
        out.print(Text("problem: ", style="bold red") + Text(problem["problem"]))
        if problem["fix"]:
            out.print(Text("    fix: ", style="bold") + Text(problem["fix"]))
    if ok:
        out.print(Text("everything fwcheat needs is here", style="green"))
    return 0 if ok else 1
