"""The on-disk index: parsed entries and search postings, cached in SQLite.

Parsing YAML and extracting API names costs far more than a search, so the
result is kept in one SQLite file under the user cache dir and reused while no
knowledge file changed (checked by a fingerprint of paths, sizes and mtimes:
a few ``stat`` calls). A search then reads only the postings of its terms and
the payloads of the entries it shows, so its cost hardly grows with the size
of the knowledge base. A rebuild is written to a temporary file and renamed
into place, so concurrent fwcheat processes never see half an index.

Whatever happens to the cache (a corrupt page, a full disk, the folder deleted
mid-rebuild, a rebuild killed half way), fwcheat keeps working: a rebuild that
cannot be written falls back to an index in memory, a query that finds the file
corrupt deletes it and answers from a fresh in-memory index (the next command
rebuilds the file), and the leftovers of a killed rebuild are removed by the next.
"""

from __future__ import annotations

import os
import sys
from collections import Counter, defaultdict

try:
    # The C module alone: the `sqlite3` package adds only date/time adapters fwcheat never uses,
    # and importing `datetime` for them is a tenth of a `search --json`. Same classes, same connect.
    import _sqlite3 as sqlite3
except ImportError:  # pragma: no cover - an interpreter without the split
    import sqlite3  # type: ignore[no-redef]

from fwcheat import __version__
from fwcheat.frameworks import BY_KEY, TABLE
from fwcheat.knowledge.card import Card
from fwcheat.knowledge.sources import ENV_PATH, bundled_root, fingerprint, layers

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:  # msgspec and dataclasses are slow to import: kept off the search path
    from collections.abc import Iterable
    from typing import Any, Final

    from fwcheat.apimap import ApiMap
    from fwcheat.knowledge.base import KnowledgeBase
    from fwcheat.knowledge.model import Entry
    from fwcheat.knowledge.problems import Problem

CACHE_ENV = "FWCHEAT_CACHE_DIR"
#: Bump when the index layout or the scoring inputs change.
SCHEMA: Final = 7

#: Field weights of the ranking: where a word appears matters as much as how often.
FIELD_WEIGHTS: Final = {
    "id": 8.0,
    "title": 3.0,
    "title_zh": 3.0,
    "aliases": 3.0,
    "tags": 2.0,
    # One field per framework for the API names its snippets use (fwcheat.frameworks.TABLE).
    **{framework.index_field: framework.index_weight for framework in TABLE},
    "category": 1.5,
    "summary": 1.0,
    "notes": 0.5,
}
#: Bits of `postings.via`: which framework's API names produced the match.
VIA_BITS: Final = {framework.index_field: 1 << i for i, framework in enumerate(TABLE)}
#: The framework each API field belongs to (what `Hit.via` names).
FIELD_FRAMEWORK: Final = {framework.index_field: framework.key for framework in TABLE}
_K1: Final = 5.0
_B: Final = 0.5

_decoder: Any = None


def _decode_entry(payload: bytes) -> Entry:
    global _decoder
    if _decoder is None:
        import msgspec

        from fwcheat.knowledge.model import Entry

        _decoder = msgspec.msgpack.Decoder(Entry)
    return _decoder.decode(payload)


def cache_dir() -> str:
    override = os.environ.get(CACHE_ENV)
    if override:
        return override
    from fwcheat.paths import cache_dir as user_cache_dir

    return user_cache_dir()


def _document_fields(entry: Entry) -> dict[str, str | list[str]]:
    """The text of each ranked field of ``entry`` (API names as lists of names)."""
    from fwcheat.apinames import api_names

    fields: dict[str, str | list[str]] = {
        "id": entry.id.replace("-", " "),
        "title": entry.title,
        "title_zh": entry.title_zh,
        "aliases": " \n".join(entry.aliases),
        "tags": " \n".join(entry.tags),
        "category": entry.category.replace("-", " "),
        "summary": entry.summary,
        "notes": " \n".join(entry.notes),
    }
    for framework, snippet in entry.snippets.items():
        key = BY_KEY[framework].index_field
        names = api_names(snippet.setup + "\n" + snippet.code)
        existing = fields.get(key, [])
        assert isinstance(existing, list)
        fields[key] = existing + names
    return fields


def _phrases(entry: Entry) -> set[str]:
    """Whole strings that, typed exactly, should put this entry first."""
    from fwcheat.text import phrase_key

    keys = {entry.id, entry.title, entry.title_zh, *entry.aliases}
    return {phrase_key(k) for k in keys if k}


def _write_index(conn: sqlite3.Connection, kb: KnowledgeBase, stamp: str) -> None:
    import math

    import msgspec

    from fwcheat.text import terms

    encode = msgspec.msgpack.Encoder().encode
    conn.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
        CREATE TABLE docs (doc INTEGER PRIMARY KEY, id TEXT UNIQUE, category TEXT,
                           path TEXT, line INTEGER, layer TEXT, frameworks TEXT, payload BLOB, card BLOB);
        CREATE TABLE postings (term TEXT, doc INTEGER, weight REAL, via INTEGER);
        CREATE TABLE vocab (term TEXT PRIMARY KEY, idf REAL) WITHOUT ROWID;
        CREATE TABLE phrases (phrase TEXT, doc INTEGER);
        CREATE TABLE problems (path TEXT, line INTEGER, message TEXT, fix TEXT, severity TEXT);
        CREATE TABLE overridden (id TEXT, path TEXT, line INTEGER, layer TEXT);
        CREATE TABLE runs (id TEXT PRIMARY KEY, compare TEXT, gpus INTEGER) WITHOUT ROWID;
        """
    )
    per_doc: list[dict[str, Counter[str]]] = []
    lengths: dict[str, list[int]] = defaultdict(list)
    rows: list[tuple[object, ...]] = []
    phrase_rows: list[tuple[str, int]] = []
    for doc, (entry_id, entry) in enumerate(kb.entries.items()):
        where = kb.locations[entry_id]
        frameworks = ",".join(fw for fw, _ in entry.snippets.items())
        rows.append(
            (
                doc,
                entry_id,
                entry.category,
                str(where.path),
                where.line,
                where.layer,
                frameworks,
                encode(entry),
                Card.from_entry(entry).to_bytes(),
            )
        )
        fields = _document_fields(entry)
        counted: dict[str, Counter[str]] = {}
        for name, value in fields.items():
            text = " \n".join(value) if isinstance(value, list) else value
            counted[name] = Counter(terms(text))
            lengths[name].append(sum(counted[name].values()))
        per_doc.append(counted)
        phrase_rows.extend((p, doc) for p in _phrases(entry))
    average = {name: (sum(v) / len(v) if v else 1.0) or 1.0 for name, v in lengths.items()}
    document_frequency: Counter[str] = Counter()
    posting_rows: list[tuple[str, int, float, int]] = []
    for doc, counted in enumerate(per_doc):
        weighted: dict[str, float] = defaultdict(float)
        via: dict[str, int] = defaultdict(int)
        for name, counter in counted.items():
            size = sum(counter.values())
            norm = 1 - _B + _B * size / average[name]
            for term, tf in counter.items():
                # Repeats say little in short fields: damp them so one mention counts most.
                weighted[term] += FIELD_WEIGHTS[name] * (1 + math.log(tf)) / norm
                via[term] |= VIA_BITS.get(name, 0)
        document_frequency.update(weighted.keys())
        posting_rows.extend((t, doc, w / (w + _K1), via[t]) for t, w in weighted.items())
    total = max(len(per_doc), 1)
    vocab_rows = [(t, math.log(1 + (total - df + 0.5) / (df + 0.5))) for t, df in document_frequency.items()]
    conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO postings VALUES (?,?,?,?)", posting_rows)
    conn.executemany("INSERT INTO vocab VALUES (?,?)", vocab_rows)
    conn.executemany("INSERT INTO phrases VALUES (?,?)", phrase_rows)
    conn.executemany(
        "INSERT INTO runs VALUES (?,?,?)", [(i, e.compare or "", e.gpus) for i, e in kb.entries.items()]
    )
    conn.executemany(
        "INSERT INTO problems VALUES (?,?,?,?,?)",
        [(str(p.path), p.line, p.message, p.fix, p.severity) for p in kb.problems],
    )
    conn.executemany(
        "INSERT INTO overridden VALUES (?,?,?,?)",
        [(i, str(loc.path), loc.line, loc.layer) for i, loc in kb.overridden.items()],
    )
    _write_api_map(conn, kb)
    conn.execute("CREATE INDEX postings_term ON postings (term)")
    conn.execute("CREATE INDEX phrases_phrase ON phrases (phrase)")
    conn.executemany(
        "INSERT INTO meta VALUES (?,?)",
        [("stamp", stamp), ("count", str(len(per_doc)))],
    )
    conn.commit()


def _write_api_map(conn: sqlite3.Connection, kb: KnowledgeBase) -> None:
    """The API name -> entry map that `fwcheat scan` and the REPL's hint read (:mod:`fwcheat.apimap`)."""
    from fwcheat.apimap import map_rows

    conn.execute(
        "CREATE TABLE api_map (source TEXT, target TEXT, api TEXT, entry TEXT, line TEXT, note TEXT)"
    )
    conn.executemany("INSERT INTO api_map VALUES (?,?,?,?,?,?)", map_rows(kb.entries.values()))
    conn.execute("CREATE INDEX api_map_pair ON api_map (source, target)")


class _Rows(list):
    """A query's rows, read in full (so a corrupt page fails inside the guard), cursor-like."""

    def fetchone(self) -> Any:
        return self[0] if self else None

    def fetchall(self) -> list[Any]:
        return list(self)


class _GuardedConnection:
    """The index connection; on a corrupt or vanished file, swaps in a rebuilt in-memory index.

    ``rebuild`` makes that index; the broken file is deleted so the next command rebuilds it.
    """

    def __init__(self, conn: sqlite3.Connection, path: str | None, rebuild: Any) -> None:
        self._conn = conn
        self._path = path
        self._rebuild = rebuild

    def execute(self, sql: str, params: Any = ()) -> _Rows:
        try:
            return _Rows(self._conn.execute(sql, params).fetchall())
        except sqlite3.DatabaseError:
            if self._rebuild is None:
                raise
        self._recover()
        return _Rows(self._conn.execute(sql, params).fetchall())

    def _recover(self) -> None:
        import contextlib

        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        if self._path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._path)
        self._conn = self._rebuild()
        self._rebuild = None  # one recovery: an in-memory index that fails is a real bug

    def close(self) -> None:
        self._conn.close()


class Store:
    """An open index: entries by id, postings for search, problems for validate."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        rebuilt: bool,
        *,
        path: str | None = None,
        rebuild: Any = None,
        stamp: str = "",
    ) -> None:
        self.conn = _GuardedConnection(conn, path, rebuild)
        #: Whether opening it had to rebuild it from the YAML files.
        self.rebuilt = rebuilt
        #: The index file (None for an index in memory), and the knowledge fingerprint it was built
        #: from: what a front end's own cache derived from the index is keyed by.
        self.path = path
        self.stamp = stamp

    def entry(self, entry_id: str) -> Entry | None:
        row = self.conn.execute("SELECT payload FROM docs WHERE id = ?", (entry_id,)).fetchone()
        return _decode_entry(row[0]) if row else None

    def entries_by_doc(self, docs: Iterable[int]) -> dict[int, Entry]:
        wanted = list(docs)
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = self.conn.execute(f"SELECT doc, payload FROM docs WHERE doc IN ({marks})", wanted)
        return {doc: _decode_entry(payload) for doc, payload in rows}

    def cards_by_doc(self, docs: Iterable[int]) -> dict[int, Card]:
        wanted = list(docs)
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = self.conn.execute(f"SELECT doc, card FROM docs WHERE doc IN ({marks})", wanted)
        return {doc: Card.from_bytes(card) for doc, card in rows}

    def run_facts(self, entry_id: str) -> tuple[str, int] | None:
        """What `fwcheat run`'s quick path needs beyond the card: the ``compare`` name and GPUs."""
        row = self.conn.execute("SELECT compare, gpus FROM runs WHERE id = ?", (entry_id,)).fetchone()
        return (str(row[0]), int(row[1])) if row else None

    def card(self, entry_id: str) -> Card | None:
        row = self.conn.execute("SELECT card FROM docs WHERE id = ?", (entry_id,)).fetchone()
        return Card.from_bytes(row[0]) if row else None

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM docs ORDER BY doc")]

    def problems(self) -> list[Problem]:
        from fwcheat.knowledge.problems import Problem

        rows = self.conn.execute("SELECT path, line, message, fix, severity FROM problems")
        from pathlib import Path

        return [Problem(Path(p), line, message, fix, severity) for p, line, message, fix, severity in rows]

    def knowledge(self) -> KnowledgeBase:
        """The whole knowledge base, decoded from the index."""
        from pathlib import Path

        from fwcheat.knowledge.base import KnowledgeBase, Location

        kb = KnowledgeBase(problems=self.problems())
        rows = self.conn.execute("SELECT id, path, line, layer, payload FROM docs ORDER BY doc")
        for entry_id, path, line, layer, payload in rows:
            kb.entries[entry_id] = _decode_entry(payload)
            kb.locations[entry_id] = Location(Path(path), line, layer)
        for entry_id, path, line, layer in self.conn.execute("SELECT id, path, line, layer FROM overridden"):
            kb.overridden[entry_id] = Location(Path(path), line, layer)
        return kb

    def broken_files(self) -> list[str]:
        """Knowledge files outside the bundled ones that were skipped, wholly or in part, for errors."""
        bundled = str(bundled_root())
        rows = self.conn.execute("SELECT DISTINCT path FROM problems WHERE severity = 'error' ORDER BY path")
        return [path for (path,) in rows if not path.startswith(bundled + os.sep)]

    def api_map(self, source: str, target: str) -> ApiMap:
        """Which entry explains each ``source`` API name, with ``target``'s line and the trap."""
        from fwcheat.apimap import ApiMap

        rows = self.conn.execute(
            "SELECT api, entry, line, note FROM api_map WHERE source = ? AND target = ?", (source, target)
        )
        return ApiMap(source, target, rows)

    def api_map_pairs(self) -> set[tuple[str, str]]:
        """The (source, target) framework pairs the knowledge base can map."""
        return {(s, t) for s, t in self.conn.execute("SELECT DISTINCT source, target FROM api_map")}

    def close(self) -> None:
        self.conn.close()


def _index_path(include_user: bool) -> str:
    # One index per set of knowledge locations (a test's FWCHEAT_KNOWLEDGE_PATH gets its own).
    key = f"{bundled_root()}|{include_user}|{os.environ.get(ENV_PATH, '') if include_user else ''}"
    digest = _fnv1a(key)
    return os.path.join(cache_dir(), f"index-v{SCHEMA}-{digest}.sqlite")


def _fnv1a(text: str) -> str:
    """A short stable hash of ``text`` (FNV-1a, 32 bits): names the index file without importing zlib."""
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


def _read_stamp(path: str) -> tuple[sqlite3.Connection | None, str]:
    if not os.path.exists(path):
        return None, ""
    conn = None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        row = conn.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
    except sqlite3.Error:
        if conn is not None:
            conn.close()
        return None, ""
    return conn, (row[0] if row else "")


_LEFTOVER = "index-v*.sqlite*.tmp*"


def _remove_leftovers(folder: str) -> None:
    """Delete the temp files (and journals) of rebuilds that were killed (call under the lock)."""
    import contextlib
    import glob

    for name in glob.glob(os.path.join(glob.escape(folder), _LEFTOVER)):
        with contextlib.suppress(OSError):
            os.unlink(name)


def _build_file(path: str, kb: KnowledgeBase, stamp: str) -> None:
    """Write the index to a unique temp file beside ``path``, fsync it and rename it into place."""
    import contextlib
    import tempfile

    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path), suffix=".tmp", dir=folder)
    try:
        with contextlib.closing(sqlite3.connect(tmp)) as build:
            # A temp file: no journal to leave behind; one fsync below instead of sqlite's.
            build.execute("PRAGMA journal_mode=OFF")
            build.execute("PRAGMA synchronous=OFF")
            _write_index(build, kb, stamp)
        os.fsync(fd)
        os.replace(tmp, path)
    finally:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _memory_index(kb: KnowledgeBase, stamp: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    _write_index(conn, kb, stamp)
    return conn


def open_store(*, include_user: bool = True, announce: bool = False) -> Store:
    """Open the index, rebuilding it first if any knowledge file changed.

    With ``announce``, a rebuild is reported on stderr when that is a terminal
    (the CLI asks for it; a full-screen TUI or REPL must not have its screen written over).
    """
    all_layers = layers(include_user=include_user)
    stamp = f"{__version__}|{SCHEMA}\n{fingerprint(all_layers)}"
    path = _index_path(include_user)
    conn, existing = _read_stamp(path)

    def rebuild() -> sqlite3.Connection:
        from fwcheat.knowledge.merge import build_knowledge

        return _memory_index(build_knowledge(all_layers), stamp)

    if conn is not None and existing == stamp:
        return Store(conn, rebuilt=False, path=path, rebuild=rebuild, stamp=stamp)
    if conn is not None:
        conn.close()
    from fwcheat.knowledge.merge import build_knowledge

    files = sum(len(layer.files) for layer in all_layers)
    if announce and sys.stderr is not None and sys.stderr.isatty():
        print(
            f"fwcheat: indexing {files} knowledge files (once, after a change)…", file=sys.stderr, flush=True
        )
    kb: KnowledgeBase | None = None
    try:
        from fwcheat.paths import private_dir
        from fwcheat.userfiles import file_lock

        folder = private_dir(os.path.dirname(path))
        # One rebuild at a time: a process that waited finds the index fresh and parses nothing.
        with file_lock(os.path.join(folder, "index"), wait=20.0):
            _remove_leftovers(folder)
            if include_user:
                from fwcheat.knowledge.sources import user_root
                from fwcheat.userfiles import sweep_leftovers

                sweep_leftovers(user_root())
            conn, existing = _read_stamp(path)
            if conn is None or existing != stamp:
                if conn is not None:
                    conn.close()
                kb = build_knowledge(all_layers)
                _build_file(path, kb, stamp)
                conn, existing = _read_stamp(path)
        if conn is None or existing != stamp:
            raise OSError("the index vanished after it was written")
    except (OSError, sqlite3.Error):
        # No writable cache (read-only, full, deleted meanwhile): keep the index in memory.
        return Store(_memory_index(kb or build_knowledge(all_layers), stamp), rebuilt=True, stamp=stamp)
    built = kb
    return Store(
        conn,
        rebuilt=built is not None,
        path=path,
        rebuild=(lambda: _memory_index(built, stamp)) if built is not None else rebuild,
        stamp=stamp,
    )
