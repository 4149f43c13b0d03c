"""Where fwcheat keeps user files: config (knowledge, config.toml), cache (index), data (history).

On Linux the XDG rules are applied directly, the way platformdirs does, because
importing platformdirs costs more than a whole search on a warm cache (it pulls
in ``tempfile`` and ``random``); elsewhere platformdirs decides. Plain strings,
not ``pathlib.Path``: the search path does not import pathlib either.
"""

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


def config_file() -> str:
    """``$FWCHEAT_CONFIG``, else ``<user config dir>/config.toml``."""
    override = os.environ.get("FWCHEAT_CONFIG")
    return override if override else os.path.join(config_dir(), "config.toml")


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


def runtime_dir() -> str:
    """Where warm kernels and the resident run helper keep their files (not created here).

    ``$FWCHEAT_RUNTIME_DIR``, else ``$XDG_RUNTIME_DIR/fwcheat``, else ``<cache dir>/kernels``.
    """
    override = os.environ.get("FWCHEAT_RUNTIME_DIR", "").strip()
    if override:
        return override
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if runtime:
        return os.path.join(runtime, APP)
    return os.path.join(cache_dir(), "kernels")


def private_dir(path: str) -> str:
    """``path``, created if needed, readable by the user alone (0700); returned for chaining.

    fwcheat's cache, data and image folders hold what a person typed and ran
    (REPL history, outputs, images): nobody else on the machine should read them.
    A folder someone else owns is left as it is.
    """
    for root in (cache_dir(), data_dir()):
        if path.startswith(root + os.sep):  # e.g. <cache>/images: its app folder is private too
            _make_private(root)
    _make_private(path)
    return path


def _make_private(path: str) -> None:
    os.makedirs(path, mode=0o700, exist_ok=True)
    st = os.stat(path)
    if st.st_mode & 0o077 and st.st_uid == os.getuid():
        os.chmod(path, st.st_mode & 0o7700)


def private_file(path: str) -> str:
    """``path`` (its folder private too), created empty if missing, mode 0600; returned for chaining."""
    private_dir(os.path.dirname(path) or ".")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path
