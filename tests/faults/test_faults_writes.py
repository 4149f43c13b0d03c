"""What fwcheat writes into a user's knowledge files: nothing lost, nothing else altered.

Both writers (``verify --update`` through :func:`fwcheat.verify.record_outputs`,
and the TUI's save) go through :func:`fwcheat.userfiles.edit_file`: concurrent
edits both land, CRLF, the mode and symlinks are kept, the data is fsync'ed,
and temp files of a killed edit are cleaned up by the next one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import msgspec
import pytest
import yaml

from fwcheat.knowledge.loader import parse_text
from fwcheat.record import update_file
from fwcheat.tui.save import save_entry
from fwcheat.userfiles import TEMP_SUFFIX, sweep_leftovers
from fwcheat.verify import record_outputs

pytestmark = pytest.mark.timeout(120)

TWO = """\
# my entries
entries:
  - id: first-one
    title: First
    title_zh: 一
    category: misc
    summary: The first.
    snippets:
      pytorch:
        code: print(1)

  # --- a section comment before the second entry ---
  - id: second-one
    title: Second
    title_zh: 二
    category: misc
    summary: The second.
    snippets:
      pytorch:
        code: print(2)
# a trailing comment
"""


def outputs(path: Path) -> dict[str, str | None]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {e["id"]: e["snippets"]["pytorch"].get("output") for e in data["entries"]}


# The child widens the race: it sleeps between reading the file and writing it back, so
# without a lock (and a re-read under it) the second writer would overwrite the first.
RACER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import fwcheat.record as record
    from fwcheat.verify import record_outputs

    original = record.update_text
    def slow(text, outputs, name="<text>"):
        new = original(text, outputs, name)
        time.sleep(0.5)
        return new
    record.update_text = slow
    path, entry_id, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.005)
    changed, problems = record_outputs({entry_id: {"pytorch": entry_id + " printed\\n"}}, {entry_id: path})
    assert not problems, problems
    print(len(changed))
    """
)


@pytest.mark.parametrize("round_", range(3))
def test_two_concurrent_updates_of_one_file_both_land(tmp_path: Path, round_: int) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO, encoding="utf-8")
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(path), entry_id, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for entry_id in ("first-one", "second-one")
    ]
    time.sleep(1.0)  # both imported and waiting
    go.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.strip() == "1"
    assert outputs(path) == {"first-one": "first-one printed\n", "second-one": "second-one printed\n"}
    assert "# --- a section comment before the second entry ---" in path.read_text(encoding="utf-8")
    assert not [p for p in os.listdir(tmp_path) if p.endswith(TEMP_SUFFIX)]


def test_update_keeps_crlf_mode_and_symlink(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "two.yaml"
    target.parent.mkdir()
    crlf = TWO.replace("\n", "\r\n")
    target.write_bytes(crlf.encode())
    target.chmod(0o600)
    link = tmp_path / "knowledge" / "two.yaml"
    link.parent.mkdir()
    link.symlink_to(target)

    assert update_file(link, {("first-one", "pytorch"): "1\n"})
    assert link.is_symlink() and link.resolve() == target
    raw = target.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n"), "every line still ends in CRLF"
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)
    # Only the output was added: the rest is byte-identical.
    assert (
        raw.decode()
        .replace("        output: '1'\r\n", "")
        .replace("        output: |\r\n          1\r\n", "")
        == crlf
    )
    assert outputs(target)["first-one"] == "1\n"


def test_update_keeps_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + TWO.encode())
    assert update_file(path, {("second-one", "pytorch"): "2\n"})
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert outputs(path)["second-one"] == "2\n"


def test_save_keeps_crlf_mode_symlink_and_comments_between_and_after(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "two.yaml"
    target.parent.mkdir()
    target.write_bytes(TWO.replace("\n", "\r\n").encode())
    target.chmod(0o640)
    link = tmp_path / "two.yaml"
    link.symlink_to(target)
    entry = next(e.entry for e in parse_text(TWO, link).entries if e.entry.id == "first-one")
    snippet = msgspec.structs.replace(entry.snippets.pytorch, code="print('edited')\n")  # type: ignore[arg-type]
    edited = msgspec.structs.replace(entry, snippets=msgspec.structs.replace(entry.snippets, pytorch=snippet))

    save_entry(edited, link)

    assert link.is_symlink()
    raw = target.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert target.stat().st_mode & 0o777 == 0o640
    text = raw.decode().replace("\r\n", "\n")
    assert text.startswith("# my entries\n")
    assert "\n\n  # --- a section comment before the second entry ---\n  - id: second-one" in text
    assert text.endswith("        code: print(2)\n# a trailing comment\n")
    ids = [e.entry.id for e in parse_text(text, link).entries]
    assert ids == ["first-one", "second-one"]
    assert "print('edited')" in text


def test_single_entry_save_keeps_trailing_comments(tmp_path: Path) -> None:
    folder = tmp_path / "misc"
    folder.mkdir()
    path = folder / "solo.yaml"
    path.write_text(
        "# head\nid: solo\ntitle: Solo\ntitle_zh: 独\ncategory: misc\nsummary: S.\n"
        "snippets:\n  pytorch:\n    code: print(1)\n\n# the end\n",
        encoding="utf-8",
    )
    [loaded] = parse_text(path.read_text(encoding="utf-8"), path).entries
    entry = msgspec.structs.replace(loaded.entry, title="Solo, edited")
    save_entry(entry, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# head\n") and text.endswith("\n# the end\n")


def test_edits_fsync_before_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO, encoding="utf-8")
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    update_file(path, {("first-one", "pytorch"): "1\n"})
    assert calls[:2] == ["fsync", "replace"]


KILLED = textwrap.dedent(
    """
    import sys, time
    import fwcheat.userfiles as userfiles
    from fwcheat.record import update_file
    from pathlib import Path

    real_replace = userfiles.os.replace
    def stuck(a, b):
        print("temp written", flush=True)
        time.sleep(60)
    userfiles.os.replace = stuck
    update_file(Path(sys.argv[1]), {("first-one", "pytorch"): "1\\n"})
    """
)


def test_killed_update_leaves_the_file_and_its_temp_is_cleaned_next_time(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "temp written"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    leftovers = [p for p in os.listdir(tmp_path) if p.endswith(TEMP_SUFFIX)]
    assert len(leftovers) == 1
    assert path.read_text(encoding="utf-8") == TWO, "a killed edit leaves the file as it was"
    # An older fwcheat's fixed temp name goes too.
    (tmp_path / f"two.yaml{TEMP_SUFFIX}").write_text("half", encoding="utf-8")

    assert update_file(path, {("second-one", "pytorch"): "2\n"})
    assert not [p for p in os.listdir(tmp_path) if p.endswith(TEMP_SUFFIX)]
    assert outputs(path)["second-one"] == "2\n"


def test_rebuild_sweeps_old_temp_files_of_files_never_edited_again(tmp_path: Path) -> None:
    old = tmp_path / "misc" / f".x.yaml.abc123{TEMP_SUFFIX}"
    young = tmp_path / "misc" / f".y.yaml.def456{TEMP_SUFFIX}"
    old.parent.mkdir()
    old.write_text("half", encoding="utf-8")
    young.write_text("being written", encoding="utf-8")
    past = time.time() - 3600
    os.utime(old, (past, past))
    assert sweep_leftovers(str(tmp_path)) == [str(old)]
    assert young.exists()


def test_refused_update_leaves_the_file_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO, encoding="utf-8")
    before = path.read_bytes()
    changed, problems = record_outputs({"nowhere": {"pytorch": "x\n"}}, {"nowhere": path})
    assert changed == [] and problems and "no entry" in problems[0]
    assert path.read_bytes() == before
