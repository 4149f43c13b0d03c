"""The REPL's own commands (``:search``, ``:load``, …): their table and their parsing.

A line starting with ``:`` is a command, never Python (Python has no statement
that starts with a colon), so commands and code share one prompt. The table
here is the single source of the help text, of the completion of command names
and of what each command's argument is, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fwcheat.frameworks import DEFAULT_PAIR, RUNNABLE_FRAMEWORKS, label, resolve, short

#: What a command's argument names, for completion.
ArgKind = Literal["none", "query", "entry", "framework", "device", "path"]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    usage: str
    help: str
    arg: ArgKind = "none"
    #: The argument must be given (else it is optional).
    required: bool = False


COMMAND_SPECS: tuple[CommandSpec, ...] = (
    CommandSpec("search", ":search QUERY", "search the knowledge base (compact results)", "query", True),
    CommandSpec("show", ":show ID", "show an entry in full, both frameworks", "entry", True),
    CommandSpec(
        "load", ":load ID", "put this framework's snippet of ID in the input to edit and run", "entry", True
    ),
    CommandSpec(
        "pair",
        ":pair [ID] [FRAMEWORK]",
        "another framework's version of what was last loaded (default: the other side of your pair)",
        "entry",
    ),
    CommandSpec(
        "run", ":run ID", "run this framework's snippet of ID here (its variables stay)", "entry", True
    ),
    CommandSpec(
        "scan",
        ":scan PATH",
        f"find {label(DEFAULT_PAIR[0])} API in a file or folder ({short(DEFAULT_PAIR[1])}'s in a "
        f"{short(DEFAULT_PAIR[0])} session): what to read to port it",
        "path",
        True,
    ),
    CommandSpec(
        "framework",
        ":framework [NAME]",
        f"switch to {', '.join(RUNNABLE_FRAMEWORKS)}; each kernel keeps its state",
        "framework",
    ),
    CommandSpec("device", ":device [D]", "use cpu, cuda:N or auto for `device` / `ctx`", "device"),
    CommandSpec("restart", ":restart", "restart this framework's kernel (its state is lost)"),
    CommandSpec("interrupt", ":interrupt", "send an interrupt to this framework's kernel"),
    CommandSpec("help", ":help", "this list"),
    CommandSpec("quit", ":quit", "leave (as Ctrl-D); the kernels are shut down"),
)

SPECS_BY_NAME: dict[str, CommandSpec] = {spec.name: spec for spec in COMMAND_SPECS}
#: Other spellings people type.
ALIASES: dict[str, str] = {"s": "search", "fw": "framework", "exit": "quit", "q": "quit", "?": "help"}


class CommandError(ValueError):
    """A command line that cannot be understood; the message says what to type."""


@dataclass(frozen=True)
class Command:
    name: str
    arg: str = ""


def is_command(text: str) -> bool:
    return text.lstrip().startswith(":")


def parse_command(text: str) -> Command:
    """Parse ``:name [argument]``; raise :class:`CommandError` with a hint when wrong."""
    body = text.strip()
    if not body.startswith(":"):
        raise CommandError(f"not a command: {text!r} (commands start with ':')")
    name, _, arg = body[1:].strip().partition(" ")
    name = name.lower()
    name = ALIASES.get(name, name)
    spec = SPECS_BY_NAME.get(name)
    if spec is None:
        from difflib import get_close_matches

        close = get_close_matches(name, list(SPECS_BY_NAME), n=1)
        hint = f"did you mean :{close[0]}? " if close else ""
        raise CommandError(f"unknown command :{name}; {hint}:help lists them")
    arg = arg.strip()
    if spec.required and not arg:
        raise CommandError(f"usage: {spec.usage}")
    if spec.arg == "none" and arg:
        raise CommandError(f":{name} takes no argument (usage: {spec.usage})")
    if spec.arg in ("entry", "framework", "device") and len(arg.split()) > (2 if name == "pair" else 1):
        raise CommandError(f"one argument only (usage: {spec.usage})")
    return Command(name, arg)


def framework_name(text: str) -> str:
    """A framework's key from a name, alias or label; :class:`CommandError` for an unknown one."""
    name = resolve(text)
    if name is None or name not in RUNNABLE_FRAMEWORKS:
        raise CommandError(f"unknown framework {text!r}: use {' or '.join(RUNNABLE_FRAMEWORKS)}")
    return name
