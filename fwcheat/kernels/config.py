"""Which Jupyter kernel runs each framework, from the user's config file.

``config.toml`` in the user config dir may say, for example::

    [kernels]
    mxnet = "mxnet-legacy"   # a kernelspec name from `jupyter kernelspec list`
    warm = true              # `run`/`verify` leave their kernels running (false: private ones)
    idle_timeout = 600       # seconds a warm kernel waits for the next command, then exits

so MXNet can live in its own legacy environment. A framework not named there
runs in this interpreter's own ipykernel.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fwcheat.frameworks import RUNNABLE_FRAMEWORKS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(ValueError):
    """The config file cannot be read or has a wrong value."""


def config_path() -> Path:
    """``$FWCHEAT_CONFIG`` or ``<user config dir>/config.toml`` (:func:`fwcheat.paths.config_file`)."""
    from fwcheat.paths import config_file

    return Path(config_file())


@dataclass(frozen=True)
class KernelConfig:
    #: framework -> kernelspec name (absent: the current interpreter).
    kernels: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    #: Leave `run`/`verify` kernels running for the next command (``warm = false``: private kernels).
    warm: bool = True
    #: Seconds a warm kernel waits for a request before it exits by itself.
    idle_timeout: float = 600.0

    def kernel_for(self, framework: str) -> str | None:
        return self.kernels.get(framework)


def load_kernel_config(path: Path | None = None) -> KernelConfig:
    path = path or config_path()
    if not path.is_file():
        return KernelConfig(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    section = data.get("kernels", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [kernels] must be a table")
    kernels: dict[str, str] = {}
    options: dict[str, Any] = {}
    for key, value in list(section.items()):
        if key == "warm":
            if not isinstance(value, bool):
                raise ConfigError(f"{path}: [kernels] warm must be true or false (got {value!r})")
            options["warm"] = value
            del section[key]
        elif key == "idle_timeout":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(
                    f"{path}: [kernels] idle_timeout must be a number of seconds above 0 (got {value!r})"
                )
            options["idle_timeout"] = float(value)
            del section[key]
    for framework, name in section.items():
        if framework not in RUNNABLE_FRAMEWORKS:
            raise ConfigError(
                f"{path}: [kernels] {framework}: unknown framework ({', '.join(RUNNABLE_FRAMEWORKS)}) "
                "or setting (warm, idle_timeout)"
            )
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{path}: [kernels] {framework} must be a kernelspec name")
        kernels[framework] = name
    return KernelConfig(kernels, path, **options)
