"""The bad knowledge files of the fault campaign (issue #15), as one table.

Each :class:`Case` is a file to drop into a knowledge folder and what the
loader must say about it: the line of the problem (0: the whole file) and a
word the message must hold, or that it loads (hostile text that is valid YAML:
then every front end must show it without obeying its escapes).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GOOD = """\
id: {id}
title: {title}
title_zh: 加一
summary: {summary}
notes:
  - {note}
aliases: [{alias}]
tags: [{tag}]
snippets:
  pytorch:
    setup: {setup}
    code: {code}
    output: {output}
"""


def entry(
    id: str = "bad-case",
    title: str = "Add one",
    summary: str = "Adds one.",
    note: str = "a note",
    alias: str = "plus one",
    tag: str = "add",
    setup: str = '""',
    code: str = "y = 1",
    output: str = '"1"',
) -> str:
    """A valid one-entry file, with any field replaced by raw YAML text."""
    return GOOD.format(
        id=id,
        title=title,
        summary=summary,
        note=note,
        alias=alias,
        tag=tag,
        setup=setup,
        code=code,
        output=output,
    )


def billion_laughs(levels: int, fan: int = 10) -> str:
    lines = ["id: bomb", "lol0: &l0 [lol]"]
    for i in range(1, levels):
        lines.append(f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * fan) + "]")
    lines.append(f"notes: *l{levels - 1}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Case:
    name: str
    #: The file's bytes, or a function making the file at the given path (special files).
    content: bytes | Callable[[Path], None]
    #: Expected problem line (0 = the whole file); None when the file loads.
    line: int | None
    #: A word the problem message must contain (case-insensitive).
    says: str = ""
    #: File name (default: ``<name>.yaml``).
    filename: str = ""
    #: Ids the file must load, when it loads.
    loads: tuple[str, ...] = ()
    #: Whether a walk of the knowledge folders reads it (a folder named x.yaml is walked into).
    walked: bool = True

    @property
    def file(self) -> str:
        return self.filename or f"{self.name}.yaml"

    def make(self, folder: Path) -> Path:
        path = folder / self.file
        if callable(self.content):
            self.content(path)
        else:
            path.write_bytes(self.content)
        return path


def _text(name: str, text: str, line: int | None, says: str = "", **kw: object) -> Case:
    return Case(name, text.encode("utf-8"), line, says, **kw)  # type: ignore[arg-type]


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.symlink_to(target)

    return make


def _loop(path: Path) -> None:
    other = path.with_name(path.stem + "-other.yml")
    path.symlink_to(other.name)
    other.symlink_to(path.name)


def _folder(path: Path) -> None:
    path.mkdir()


def _socket(path: Path) -> None:
    # AF_UNIX paths are limited to ~100 bytes: bind from inside the folder.
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(path.name)
        sock.close()
    finally:
        os.chdir(cwd)


ESC_TITLE = r'"Osctest \e]2;PWNED-TITLE\e\\ \e[2J"'

CASES: list[Case] = [
    # --- syntax ---------------------------------------------------------------------------
    _text("unclosed-quote", entry(title='"Add one'), 11, "syntax"),
    _text("bad-indent", entry().replace("title_zh:", "   title_zh:"), 3, "syntax"),
    _text("tab-indent", entry().replace("  pytorch:", "\tpytorch:"), 10, "syntax"),
    _text("unclosed-flow-seq", entry(alias="[plus one"), 8, "syntax"),
    _text("unclosed-flow-map", entry(title="{a: b"), 3, "syntax"),
    _text("colon-in-plain", entry(title="a: b"), 2, "syntax"),
    _text("undefined-alias", entry(title="*nowhere"), 2, "alias"),
    _text("two-documents", entry() + "---\n" + entry(id="second"), 14, "document"),
    _text("bad-directive", "%YAML 9.9\n---\n" + entry(), 1, "YAML"),
    _text("mapping-in-seq", entry(note="a\n  b: c"), 7, "syntax"),
    _text("stray-dash", entry().replace("summary:", "- summary:"), 4, "syntax"),
    # --- types ------------------------------------------------------------------------------
    _text("title-int", entry(title="42"), 2, "str"),
    _text("title-list", entry(title="[a, b]"), 2, "str"),
    _text("title-map", entry(title="{a: b}"), 2, "str"),
    _text("title-null", entry(title="~"), 2, "str"),
    _text("title-empty", entry(title='""'), 2, "length"),
    _text("snippets-list", entry().replace("  pytorch:", "  - pytorch:"), 9, "object"),
    _text("code-int", entry(code="12"), 12, "str"),
    _text("notes-string", entry().replace("notes:\n  - a note", "notes: a note"), 5, "array"),
    _text("gpus-negative", entry() + "gpus: -1\n", 14, ">= 0"),
    _text("gpus-word", entry() + "gpus: two\n", 14, "int"),
    _text("rtol-negative", entry() + "tolerance: {rtol: -1}\n", 14, ">= 0"),
    _text("compare-not-identifier", entry() + "compare: 1x\n", 14, "regex"),
    _text("unknown-key", entry() + "tittle: x\n", 14, "unknown field"),
    _text("missing-title", entry().replace("title: Add one\n", ""), 1, "title"),
    _text("top-level-list", "- " + entry().replace("\n", "\n  "), 1, "top level"),
    _text("top-level-scalar", "just text\n", 1, "top level"),
    _text("entries-not-list", "entries: 5\n", 1, "list"),
    _text("entries-scalars", "entries:\n  - 1\n  - two\n", 2, "mapping"),
    _text("empty-file", "", 1, "empty"),
    _text("comments-only", "# nothing\n# here\n", 1, "no content"),
    _text("null-doc", "~\n", 1, "top level"),
    _text("complex-key", entry() + "? [a, b]\n: c\n", 14, "unhashable"),
    _text("merge-scalar", entry() + "<<: 1\n", 14, "merg"),
    # --- encodings ------------------------------------------------------------------------
    Case("latin-1", entry(title="Café").replace("加一", "plus").encode("latin-1"), 2, "UTF-8"),
    Case("utf16-bom", entry().encode("utf-16"), 1, "UTF-8"),
    Case("utf16-no-bom", entry().encode("utf-16-le"), 3, "UTF-8"),
    Case("gbk", entry(note="自动求导").encode("gbk"), 3, "UTF-8"),
    Case("truncated-utf8", entry().encode() + b"title2: \xe4\xb8\n", 14, "UTF-8"),
    Case("overlong-utf8", entry().encode().replace(b"Add one", b"Add \xc0\xaf"), 2, "UTF-8"),
    Case("surrogate-utf8", entry().encode().replace(b"Add one", b"\xed\xa0\x80"), 2, "UTF-8"),
    Case("utf8-bom-loads", b"\xef\xbb\xbf" + entry(id="bom-ok").encode(), None, loads=("bom-ok",)),
    _text("bom-in-middle", entry(title="Add\ufeffone", id="mid-bom"), None, loads=("mid-bom",)),
    Case("crlf-loads", entry(id="crlf-ok").replace("\n", "\r\n").encode(), None, loads=("crlf-ok",)),
    Case("cr-only-loads", entry(id="cr-ok").replace("\n", "\r").encode(), None, loads=("cr-ok",)),
    # --- NUL and raw control bytes --------------------------------------------------------
    _text("nul-line-3", entry(title="Add\x00one").replace("title_zh", "title_zh"), 2, "NUL"),
    _text("nul-in-summary", entry(summary="x\x00y"), 4, "NUL"),
    _text("raw-esc", entry(summary="x\x1b[2Jy"), 4, "ESC"),
    _text("raw-del", entry(note="x\x7fy"), 6, "DEL"),
    _text("raw-c1-csi", entry(note="x\x9b2Jy"), 6, "U+009B"),
    _text("form-feed", entry(note="x\x0cy"), 6, "form feed"),
    # --- tags -----------------------------------------------------------------------------
    _text("python-object", entry(title="!!python/object/apply:os.system [echo pwned]"), 2, "tag"),
    _text("python-name", entry(title="!!python/name:os.system"), 2, "tag"),
    _text("custom-tag", entry(title="!shout hello"), 2, "tag"),
    _text("bad-binary", entry(title="!!binary '@@@'"), 2, "bytes"),
    _text("binary-title", entry(title="!!binary aGVsbG8="), 2, "str"),
    _text("set-title", entry(title="!!set {a, b}"), 2, "str"),
    _text("int-abc", entry(title="!!int abc"), 2, "int"),
    _text("float-abc", entry(title="!!float abc"), 2, "float"),
    _text("timestamp-bad", entry(title="!!timestamp 2024-13-99"), 2, "timestamp"),
    # --- dates and numbers ----------------------------------------------------------------
    _text("date-feb-30", entry(title="2024-02-30"), 2, "timestamp"),
    _text("date-not-leap", entry(title="2023-02-29"), 2, "timestamp"),
    _text("date-month-13", entry(summary="2024-13-01"), 4, "timestamp"),
    _text("date-as-key", entry() + "2024-02-30: x\n", 14, "timestamp"),
    _text("valid-date-title", entry(title="2024-02-28"), 2, "str"),
    _text("bin-underscore", entry(title="0b_"), 2, "int"),
    _text("hex-underscore", entry(title="0x_"), 2, "int"),
    _text("huge-int", entry(title="9" * 5000), 2, "4,300"),
    _text("gpus-huge", entry() + "gpus: " + "9" * 400 + "\n", 14, "gpus"),
    # --- binary ---------------------------------------------------------------------------
    Case("random-bytes", bytes(range(256)) * 4, 2, "UTF-8"),
    Case("png", b"\x89PNG\r\n\x1a\n" + bytes(64), 1, "UTF-8"),
    Case("elf", b"\x7fELF\x02\x01\x01" + bytes(64), 1, "DEL"),
    Case("gzip", b"\x1f\x8b\x08\x00" + bytes(32), 1, "UTF-8"),
    # --- huge files and deep nesting ------------------------------------------------------
    Case("huge-file", b"# " + b"x" * (3 * 1024 * 1024) + b"\n", 0, "MB"),
    _text("deep-flow-998", entry(title="[" * 998 + "]" * 998), 2, "nested"),
    _text("deep-flow-100k", entry(title="[" * 100_000 + "]" * 100_000), 2, "nest"),
    _text("deep-block", "id: deep\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(300)), 52, "nested"),
    # --- alias bombs and recursion --------------------------------------------------------
    _text("bomb-1e9", billion_laughs(10), 6, "alias"),
    _text("bomb-1e7", billion_laughs(8), 6, "alias"),
    _text("recursive-seq", entry() + "aliases: &a [*a]\n", 14, "recursive"),
    _text("recursive-map", entry() + "tolerance: &t {rtol: *t}\n", 14, "recursive"),
    _text(
        "map-bomb",
        "id: bomb\nm0: &m0 {a: lol}\n"
        + "".join(
            f"m{i}: &m{i} {{" + ", ".join(f"k{j}: *m{i - 1}" for j in range(10)) + "}\n" for i in range(1, 9)
        ),
        6,
        "alias",
    ),
    # --- special files --------------------------------------------------------------------
    Case("fifo", _fifo, 0, "FIFO"),
    Case("dev-zero", _link("/dev/zero"), 0, "device"),
    Case("dev-null", _link("/dev/null"), 0, "device"),
    Case("folder-named-yaml", _folder, 0, "folder", walked=False),
    Case("socket", _socket, 0, "socket"),
    Case("broken-symlink", _link("nowhere.yaml"), 0, "cannot read"),
    Case("symlink-loop", _loop, 0, "symbolic links"),
    # --- hostile ids ----------------------------------------------------------------------
    _text("id-trailing-newline", entry(id='"sneaky-id\\n"'), 1, "regex"),
    _text("id-path", entry(id="../../etc/passwd"), 1, "regex"),
    _text("id-upper", entry(id="Upper"), 1, "regex"),
    _text("id-double-dash", entry(id="a--b"), 1, "regex"),
    _text("id-empty", entry(id='""'), 1, "regex"),
    _text("id-escape", entry(id='"a\\e[2J"'), 1, "regex"),
    _text("id-fullwidth", entry(id="ａｂ"), 1, "regex"),
    _text("category-newline", entry() + 'category: "misc\\n"\n', 14, "misc\\n` disagrees"),
    _text("see-also-newline", entry() + 'see_also: ["other\\n"]\n', 14, "regex"),
    _text("compare-newline", entry(code="x = 1") + 'compare: "x\\n"\n', 14, "regex"),
    _text("duplicate-key", entry() + "title: again\n", 14, "duplicate key"),
    # --- escapes in every text field (valid YAML: loads, shown escaped) -------------------
    _text("esc-title", entry(id="esc-title", title=ESC_TITLE), None, loads=("esc-title",)),
    _text("esc-title-zh", entry(id="esc-zh").replace("加一", '"加\\e[2J一"'), None, loads=("esc-zh",)),
    _text(
        "esc-summary", entry(id="esc-summary", summary='"s \\e]52;c;aGk=\\a"'), None, loads=("esc-summary",)
    ),
    _text("esc-note", entry(id="esc-note", note='"n \\e[31m\\x9b2J"'), None, loads=("esc-note",)),
    _text("esc-alias", entry(id="esc-alias", alias='"\\e[2J"'), None, loads=("esc-alias",)),
    _text("esc-tag", entry(id="esc-tag", tag='"t\\e[5m"'), None, loads=("esc-tag",)),
    _text("esc-code", entry(id="esc-code", code='"print(1) # \\e[2J"'), None, loads=("esc-code",)),
    _text("esc-setup", entry(id="esc-setup", setup='"# \\e]2;x\\a"'), None, loads=("esc-setup",)),
    _text("esc-output", entry(id="esc-output", output='"\\e[2J"'), None, loads=("esc-output",)),
    _text("bidi-title", entry(id="bidi-title", title='"a \\u202e evil"'), None, loads=("bidi-title",)),
    _text("c1-title", entry(id="c1-title", title='"a \\x9b2J b"'), None, loads=("c1-title",)),
    _text("esc-key-name", entry() + '"\\e[2Jkey": 1\n', 14, "unknown field"),
    _text("esc-in-filename", entry(title="2024-02-30"), 2, "timestamp", filename="bad\x1b[2Jname.yaml"),
    _text("bidi-in-filename", entry(title="!!int x"), 2, "int", filename="evil\u202egnp.yaml"),
]
