"""Facts about a process from its pid, for kernels this process did not start.

A warm kernel is found again by the pid an earlier fwcheat recorded. A pid
can be reused once its process is gone, so the kernel's start time (clock
ticks since boot, ``/proc/PID/stat`` field 22) is recorded beside it and
checked before the pid is trusted, let alone signalled.
"""

from __future__ import annotations

import contextlib
import os


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name, or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    # The command name is in parentheses and may itself hold spaces or ')'.
    return text[text.rfind(")") + 2 :].split()


def process_start_ticks(pid: int) -> int | None:
    """When ``pid`` started, in clock ticks since boot (None where /proc is missing)."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    try:
        return int(fields[19])
    except ValueError:
        return None


def process_alive(pid: int, ticks: int | None = None) -> bool:
    """True while ``pid`` runs (not a zombie) and, given ``ticks``, is the same process."""
    fields = _stat_fields(pid)
    if fields is None:
        if os.path.isdir("/proc/self"):
            return False  # /proc works and the pid is gone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    if fields[0] in ("Z", "X"):
        return False
    if ticks is not None:
        with contextlib.suppress(ValueError, IndexError):
            return int(fields[19]) == ticks
    return True


def process_rss(pid: int) -> int | None:
    """Resident memory of ``pid`` in bytes (None when unknown)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
