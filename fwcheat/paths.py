"""Where fwcheat keeps user files: config (knowledge, config.toml), cache (index), data (history).

On Linux the XDG rules are applied directly, the way platformdirs does, because
importing platformdirs costs more than a whole search on a warm cache (it pulls
in ``tempfile`` and ``random``); elsewhere platformdirs decides. Plain strings,
not ``pathlib.Path``: the search path does not import pathlib either.
"""

from __future__ import annotations

import os
import sys

APP = "fwcheat"


def _xdg(variable: str, default: str) -> str:
    value = os.environ.get(variable, "").strip()
    return os.path.join(value if value else os.path.expanduser(default), APP)


def config_dir() -> str:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CONFIG_HOME", "~/.config")
    from platformdirs import user_config_dir

    return user_config_dir(APP)


def cache_dir() -> str:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CACHE_HOME", "~/.cache")
    from platformdirs import user_cache_dir

    return user_cache_dir(APP)


def data_dir() -> str:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_DATA_HOME", "~/.local/share")
    from platformdirs import user_data_dir

    return user_data_dir(APP)
