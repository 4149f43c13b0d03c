"""`fwcheat run ID` on kernels an earlier command left warm, without the engine's imports.

A second ``fwcheat run`` spends a few milliseconds in the kernel; the engine's
imports (asyncio, pyzmq, msgspec, rich) cost many times that. When every
kernel the command needs is warm and fits (see :mod:`fwcheat.kernels.warm`),
this path runs the snippets over plain sockets (:mod:`fwcheat.kernels.zmtp`)
with the same request the engine sends (fresh namespace, device, working
directory), and prints what :mod:`fwcheat.commands.run` would print.

It takes only the plain cases: an entry from the index, on the CPU, one or more
frameworks with nothing to compare across them (comparing needs NumPy), no
GPU entry, no kernelspec from the config file. For anything else, or when a
kernel is missing, busy with another command or does not fit, :func:`main`
returns None before running anything and the full path takes over.
"""

from __future__ import annotations

import json
import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from fwcheat.kernels.base import ExecutionResult
    from fwcheat.kernels.warm import WarmRecord, WarmSlot
    from fwcheat.kernels.zmtp import Channel, Session

#: Seconds an interrupted run may take to stop before its kernel is stopped.
INTERRUPT_GRACE = 3.0

#: A long-lived caller's state between runs (see :func:`keep_state`); None in a one-shot command.
_kept: dict[tuple[str, int, int | None], tuple[Session, Channel, Channel]] | None = None
_later: list[Callable[[], None]] | None = None


def keep_state() -> None:
    """For the resident helper: keep kernel connections between runs, and defer slot stamping.

    Connections are kept per kernel process (connection file, pid, start time), so a
    replaced kernel gets new ones; a run that fails or stops its kernel closes them.
    The stamp of a slot's last use (and its unlock) waits until :func:`finish_later`.
    """
    global _kept, _later
    _kept, _later = {}, []


def finish_later() -> None:
    """Do what the last run deferred (see :func:`keep_state`), and drop connections to kernels gone."""
    while _later:
        _later.pop(0)()
    if _kept:
        from fwcheat.kernels.procs import process_alive

        for key in [k for k in _kept if not process_alive(k[1], k[2])]:
            _session, shell, iopub = _kept.pop(key)
            shell.close()
            iopub.close()


def forget_connections() -> None:
    """Close every kept connection (the resident helper is leaving)."""
    if _kept:
        for _session, shell, iopub in _kept.values():
            shell.close()
            iopub.close()
        _kept.clear()


def parse(argv: Sequence[str]) -> dict[str, Any] | None:
    """``argv`` after ``run``, when it is plain: {id, frameworks, json, timeout}; else None."""
    values: dict[str, Any] = {"id": None, "framework": None, "json": False, "timeout": 60.0}
    index = 0
    while index < len(argv):
        arg = argv[index]
        index += 1
        if not arg.startswith("-"):
            if values["id"] is not None:
                return None
            values["id"] = arg
            continue
        if arg == "--json":
            values["json"] = True
            continue
        if arg == "--all":
            values["all"] = True
            continue
        name, equals, value = arg.partition("=")
        if name not in ("-f", "--framework", "--timeout", "--device") or (equals and name == "-f"):
            return None
        if not equals:
            if index >= len(argv) or argv[index].startswith("-"):
                return None
            value = argv[index]
            index += 1
        if name == "--device":
            if value != "cpu":
                return None  # GPUs: the full path checks them up front
        elif name == "--timeout":
            try:
                values["timeout"] = float(value)
            except ValueError:
                return None
            if not values["timeout"] > 0:
                return None
        else:
            values["framework"] = value
    if values["id"] is None:
        return None
    if values.pop("all", False):
        values["framework"] = None
    return values


def kernel_settings() -> tuple[bool, float] | None:
    """(warm, idle timeout) from the config file; None when it names kernelspecs or cannot be read."""
    from fwcheat.kernels.warm import DEFAULT_IDLE_TIMEOUT
    from fwcheat.paths import config_file

    path = config_file()
    if not os.path.isfile(path):
        return True, DEFAULT_IDLE_TIMEOUT
    from fwcheat.kernels.config import ConfigError, load_kernel_config

    try:
        from pathlib import Path

        config = load_kernel_config(Path(path))
    except ConfigError:
        return None  # the full path reports it
    if config.kernels:
        return None
    return config.warm, config.idle_timeout


def _claim(frameworks: Sequence[str], idle_timeout: float) -> dict[str, tuple[WarmSlot, WarmRecord]] | None:
    """A usable warm kernel for each framework, its slot locked; None (nothing held) otherwise."""
    from fwcheat.frameworks import BY_KEY
    from fwcheat.kernels.base import OUTPUT_CAP
    from fwcheat.kernels.warm import WarmSlot, runtime_root, signature

    try:
        root = runtime_root()
    except OSError:
        return None
    held: dict[str, tuple[WarmSlot, WarmRecord]] = {}
    for framework in frameworks:
        slot = WarmSlot(
            root,
            framework,
            signature(
                framework,
                None,
                dict(BY_KEY[framework].kernel_env),
                output_cap=OUTPUT_CAP,
                idle_timeout=idle_timeout,
            ),
            idle_timeout,
        )
        try:
            record = slot.claim()
        except OSError:
            record = None
        if record is None or slot.unusable(record) or not record.probe:
            slot.unlock()  # left as it was: the full path replaces or reuses it
            for other, _ in held.values():
                other.unlock()
            return None
        held[framework] = (slot, record)
    return held


class _Run:
    """One framework's request on its warm kernel."""

    def __init__(self, framework: str, record: WarmRecord, code: str, setup: str) -> None:
        from fwcheat.kernels.base import OUTPUT_CAP, Collector
        from fwcheat.kernels.zmtp import Channel, Session

        self.framework = framework
        self.record = record
        self.setup = setup
        self.key = (record.connection_file, record.pid, record.ticks)
        kept = _kept.pop(self.key, None) if _kept is not None else None
        self.welcomed = kept is not None  # a kept IOPub connection is subscribed already
        if kept is not None:
            self.session, self.shell, self.iopub = kept
        else:
            with open(record.connection_file, encoding="utf-8") as handle:
                info = json.load(handle)
            if info.get("transport", "tcp") != "tcp":
                raise OSError("not a TCP kernel")
            self.session = Session(
                str(info["key"]).encode("ascii"), str(info.get("signature_scheme", "hmac-sha256"))
            )
            host = str(info.get("ip", "127.0.0.1"))
            self.shell = Channel(int(info["shell_port"]), b"DEALER", host)
            try:
                self.iopub = Channel(int(info["iopub_port"]), b"SUB", host)
                self.iopub.subscribe()
                # The kernel greets each new subscription, but its XPUB socket passes a topic up only
                # once: while another client (the resident helper) is subscribed to everything, only
                # a topic of our own brings the greeting that says our subscription is in place.
                self.iopub.subscribe(os.urandom(8).hex().encode("ascii"))
            except BaseException:
                self.shell.close()
                raise
        self.collector = Collector(OUTPUT_CAP, None, _image_dir())
        self.source = _prepare_line(framework) + (setup.rstrip("\n") + "\n" if setup else "") + code
        self.msg_id = ""
        self.idle = False
        self.reply: dict[str, Any] | None = None
        self.started = 0.0
        self.duration = 0.0

    def close(self, keep: bool = False) -> None:
        """Close the connections; with ``keep``, a resident caller keeps them for the next run."""
        if keep and _kept is not None:
            _kept[self.key] = (self.session, self.shell, self.iopub)
            return
        self.shell.close()
        self.iopub.close()

    def send(self) -> None:
        self.started = time.perf_counter()
        self.msg_id = self.session.send(
            self.shell,
            "execute_request",
            {
                "code": self.source,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )

    @property
    def done(self) -> bool:
        return self.idle and self.reply is not None

    def take(self, channel: Channel) -> None:
        for frames in channel.messages():
            message = self.session.decode(frames)
            if message is None:
                continue
            if channel is self.iopub:
                # Anything published to us shows our subscription is in place (see __init__).
                self.welcomed = True
                if message["header"].get("msg_type") == "iopub_welcome":
                    continue
            if not self.msg_id or message["parent_header"].get("msg_id") != self.msg_id:
                continue
            if channel is self.shell:
                self.reply = message
            elif self.collector.handle(message):
                self.idle = True
                self.duration = time.perf_counter() - self.started


def _prepare_line(framework: str) -> str:
    """The first line the engine sends (see :func:`fwcheat.kernels.prelude.prepare_line`)."""
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = ""
    return "#fwcheat:prepare " + json.dumps([framework, "cpu", 0, True, cwd]) + "\n"


def _image_dir() -> str:
    from fwcheat.paths import cache_dir

    return os.path.join(cache_dir(), "images")


def _wait(runs: list[_Run], until: Any, deadline: float, cancel: Any = None) -> bool:
    """Read until ``until(run)`` holds for every run; False when ``deadline`` passes first.

    ``cancel`` (the resident helper's connection to its caller) interrupts the wait when it
    becomes readable: the caller was interrupted or has gone.
    """
    from fwcheat.kernels.procs import process_alive
    from fwcheat.kernels.zmtp import wait_readable

    owners = {id(ch): r for r in runs for ch in (r.shell, r.iopub)}
    while not all(until(r) for r in runs):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        channels = [ch for r in runs if not until(r) for ch in (r.shell, r.iopub)]
        ready = wait_readable([*channels, cancel] if cancel is not None else channels, min(left, 0.2))
        if cancel is not None and cancel in ready:
            raise KeyboardInterrupt("the command was interrupted")
        for channel in ready:
            owners[id(channel)].take(channel)
        if not ready:
            for run in runs:
                if not until(run) and not process_alive(run.record.pid, run.record.ticks):
                    raise ConnectionError(run.framework)
    return True


def _results(runs: list[_Run]) -> dict[str, ExecutionResult]:
    from fwcheat.kernels.base import ErrorInfo, ExecutionResult, Status

    results: dict[str, ExecutionResult] = {}
    for run in runs:
        collector = run.collector
        content = run.reply.get("content", {}) if run.reply else {}
        if collector.error is None and content.get("status") == "error":
            collector.error = ErrorInfo(
                str(content.get("ename", "")),
                str(content.get("evalue", "")),
                list(content.get("traceback", [])),
            )
        status = Status.OK if collector.error is None else Status.ERROR
        error = collector.error
        if error is not None:
            from fwcheat.tracebacks import setup_line_count, tidy, tidy_message

            hidden = setup_line_count(run.setup)
            error = ErrorInfo(error.name, tidy_message(error.value, hidden), tidy(error.traceback, hidden))
        results[run.framework] = ExecutionResult(
            status=status,
            events=collector.events,
            error=error,
            duration=run.duration,
            truncated=collector.truncated,
        )
    return results


def main(argv: Sequence[str], cancel: Any = None) -> int | None:
    """Run ``fwcheat run ARGV`` on warm kernels; None when the full path must do it.

    ``cancel``: see :func:`_wait` (the resident helper passes it; see :mod:`fwcheat.resident`).
    """
    options = parse(argv)
    if options is None:
        return None
    settings = kernel_settings()
    if settings is None or not settings[0]:
        return None
    from fwcheat.frameworks import RUNNABLE_FRAMEWORKS, parse_list
    from fwcheat.store import open_store

    store = open_store()
    try:
        facts = store.run_facts(options["id"])
        card = store.card(options["id"]) if facts is not None else None
    finally:
        store.close()
    if facts is None or card is None:
        return None  # no such entry: the full path explains
    compare, gpus = facts
    snippets = dict(card.snippets)
    setups = dict(card.setups)
    available = [fw for fw in RUNNABLE_FRAMEWORKS if fw in snippets]
    frameworks = available
    if options["framework"]:
        try:
            frameworks = parse_list(options["framework"])
        except ValueError:
            return None
        if any(fw not in available for fw in frameworks):
            return None
    if not frameworks or gpus > 0 or (compare and len(frameworks) > 1):
        return None
    held = _claim(frameworks, settings[1])
    if held is None:
        return None
    return _run_held(options, card, frameworks, held, snippets, setups, cancel)


def _run_held(
    options: dict[str, Any],
    card: Any,
    frameworks: list[str],
    held: dict[str, tuple[WarmSlot, WarmRecord]],
    snippets: dict[str, str],
    setups: dict[str, str],
    cancel: Any = None,
) -> int | None:
    import signal

    runs: list[_Run] = []

    def release(stop: bool) -> None:
        from fwcheat.kernels.warm import kill_group

        for run in runs:
            run.close(keep=not stop)
        for slot, record in held.values():
            if stop:
                kill_group(record.pid, record.pgid, record.ticks)
                slot.forget()
            elif _later is not None:
                _later.append(slot.release)  # after the answer: nothing waits for the stamp
            else:
                slot.release()

    try:
        for fw in frameworks:
            runs.append(_Run(fw, held[fw][1], snippets[fw], setups.get(fw, "")))
        if not _wait(runs, lambda r: r.welcomed, time.monotonic() + 2.0, cancel):
            raise TimeoutError("no IOPub welcome")
    except BaseException as exc:  # nothing ran yet: let go of everything
        for run in runs:
            run.close()
        for slot, _ in held.values():
            slot.unlock()
        if isinstance(exc, (OSError, ValueError, KeyError)):
            return None  # an unexpected peer: the full path takes it
        raise

    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    started = time.perf_counter()
    timeout = float(options["timeout"])
    try:
        for run in runs:
            run.send()
        finished = _wait(runs, lambda r: r.done, time.monotonic() + timeout, cancel)
    except ConnectionError:
        release(stop=True)
        return _report_death(options, card, runs, time.perf_counter() - started)
    except BaseException:
        release(stop=True)  # busy kernels serve no one: stop them, as the full path does
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    wall = time.perf_counter() - started
    if not finished:
        return _report_timeout(options, card, runs, held, timeout, wall)
    results = _results(runs)
    if any(_not_reset(r) for r in results.values()):
        # The kernel could not be reset, so nothing ran: the engine starts a new one and runs it.
        release(stop=True)
        return None
    release(stop=False)
    return _print(options, card, results, wall)


def _not_reset(result: ExecutionResult) -> bool:
    """As the engine's check: the kernel refused the run because it could not be reset."""
    error = result.error
    return (
        error is not None
        and error.name == "DeviceUnavailable"
        and error.value.startswith("fwcheat could not prepare the kernel")
    )


def _report_death(options: dict[str, Any], card: Any, runs: list[_Run], wall: float) -> int:
    from fwcheat.kernels.base import ExecutionResult, Status

    results = _results([r for r in runs if r.done])
    reason = "the kernel is gone (its process ended)"
    for run in runs:
        if not run.done:
            results[run.framework] = ExecutionResult(
                Status.DIED, events=run.collector.events, reason=reason, duration=wall
            )
    return _print(options, card, {r.framework: results[r.framework] for r in runs}, wall)


def _report_timeout(
    options: dict[str, Any],
    card: Any,
    runs: list[_Run],
    held: dict[str, tuple[WarmSlot, WarmRecord]],
    timeout: float,
    wall: float,
) -> int:
    """Interrupt what is still running; a kernel the interrupt does not stop is stopped."""
    import contextlib
    import signal

    from fwcheat.kernels.base import ExecutionResult, Status
    from fwcheat.kernels.warm import kill_group

    late = [r for r in runs if not r.done]
    for run in late:
        with contextlib.suppress(OSError):
            os.killpg(run.record.pgid, signal.SIGINT)
    with contextlib.suppress(ConnectionError):
        _wait(late, lambda r: r.idle, time.monotonic() + INTERRUPT_GRACE)
    results = _results([r for r in runs if r.done])
    for run in late:
        slot, record = held[run.framework]
        if run.idle:
            reason = f"timed out after {timeout:g} s; interrupted"
            run.collector.error = None
            slot.release()
        else:
            reason = f"timed out after {timeout:g} s; the interrupt did not stop it, kernel stopped"
            kill_group(record.pid, record.pgid, record.ticks)
            slot.forget()
        events = [e for e in run.collector.events if e.kind != "error"]
        results[run.framework] = ExecutionResult(
            Status.TIMED_OUT, events=events, reason=reason, duration=wall
        )
    for run in runs:
        run.close()
        if run.done:
            held[run.framework][0].release()
    return _print(options, card, {r.framework: results[r.framework] for r in runs}, wall)


def _print(options: dict[str, Any], card: Any, results: dict[str, ExecutionResult], wall: float) -> int:
    ok = all(r.ok for r in results.values())
    if options["json"]:
        payload = {
            "id": card.id,
            "device": "cpu",
            "wall": round(wall, 4),
            "ok": ok,
            "results": {fw: r.to_dict() for fw, r in results.items()},
            "compare": None,
            "verdicts": {},
        }
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return 0 if ok else 1
    from fwcheat.fastcards import terminal

    term = terminal(sys.stdout)
    if term is not None:
        from fwcheat.run_cards import draw

        text = draw(term, card.title, card.id, "cpu", results, wall)
        if text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return 0 if ok else 1
    from fwcheat.render_run import write_results

    write_results(card.title, card.id, "cpu", results, wall)
    return 0 if ok else 1
