"""What fwcheat keeps about a person (history, images, cache) is theirs alone: 0600 files, 0700 dirs."""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from fwcheat.paths import private_dir, private_file


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    old = os.umask(0o022)
    yield tmp_path
    os.umask(old)


def test_repl_history_is_private(dirs: Path) -> None:
    pytest.importorskip("prompt_toolkit")
    from fwcheat.repl.session import default_history, history_path

    history = default_history()
    history.append_string("token = 'secret'")
    history.store_string("token = 'secret'")
    path = history_path()
    assert path.exists()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_existing_world_readable_history_is_made_private(dirs: Path) -> None:
    pytest.importorskip("prompt_toolkit")
    from fwcheat.repl.session import default_history, history_path

    path = history_path()
    path.parent.mkdir(parents=True)
    path.write_text("# old history\n", encoding="utf-8")
    path.chmod(0o644)
    path.parent.chmod(0o755)
    default_history()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert path.read_text(encoding="utf-8") == "# old history\n"  # kept, only the mode changed


def test_saved_images_and_their_dirs_are_private(dirs: Path) -> None:
    from fwcheat.kernels.base import Collector
    from fwcheat.kernels.session import default_image_dir

    collector = Collector(10_000, None, default_image_dir())
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(32)).decode()
    collector.add_data("display", {"image/png": png})
    [event] = collector.events
    assert event.kind == "image"
    assert mode(event.text) == 0o600
    assert mode(default_image_dir()) == 0o700
    assert mode(dirs / "cache" / "fwcheat") == 0o700


def test_private_dir_leaves_the_xdg_parent_alone(dirs: Path) -> None:
    folder = private_dir(str(dirs / "cache" / "fwcheat" / "sub"))
    assert mode(folder) == 0o700
    assert mode(dirs / "cache" / "fwcheat") == 0o700
    assert mode(dirs / "cache") == 0o755  # ~/.cache is not fwcheat's to change
    made = private_file(str(dirs / "data" / "fwcheat" / "f"))
    assert mode(made) == 0o600
