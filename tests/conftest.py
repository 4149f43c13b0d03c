"""Test-wide isolation: no test reads or writes the real user's config, cache or data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("home")
    saved = {
        k: os.environ.get(k)
        for k in (
            "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME",
            "XDG_DATA_HOME",
            "FWCHEAT_CACHE_DIR",
            "FWCHEAT_RUNTIME_DIR",
        )
    }
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_CACHE_HOME"] = str(home / "cache")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    os.environ["FWCHEAT_CACHE_DIR"] = str(home / "cache" / "fwcheat")
    # Kernels `run` and `verify` leave warm live here, and are stopped when the session ends.
    os.environ["FWCHEAT_RUNTIME_DIR"] = str(home / "run")
    os.environ.pop("FWCHEAT_KNOWLEDGE_PATH", None)
    yield
    from fwcheat.kernels.warm import stop_warm_kernels

    stop_warm_kernels(home / "run")
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def knowledge_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private FWCHEAT_KNOWLEDGE_PATH folder (merged over the bundled files) and cache."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    monkeypatch.setenv("FWCHEAT_KNOWLEDGE_PATH", str(folder))
    monkeypatch.setenv("FWCHEAT_CACHE_DIR", str(tmp_path / "cache"))
    return folder
