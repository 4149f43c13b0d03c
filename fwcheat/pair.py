"""The pair of frameworks a user works across, and which snippets to show for it.

Most users port from one framework to another (by default
:data:`fwcheat.frameworks.DEFAULT_PAIR`). They name their pair once in the
config file, as ``pair = [FROM, TO]`` under ``[frameworks]`` (framework keys),
and may override it per command (``--pair FROM,TO``). ``search`` and ``show``
put that pair side by side and name the other frameworks an entry has.

On the search path: plain ``os``; the TOML parser is imported only when a
config file exists.
"""

from __future__ import annotations

import os

from fwcheat.frameworks import BY_KEY, DEFAULT_PAIR, FRAMEWORKS, label, resolve

_EXAMPLE = ",".join(DEFAULT_PAIR)


class PairError(ValueError):
    """A pair that names an unknown framework, or not two different ones."""


def parse_pair(text: str | list[str] | tuple[str, ...], where: str = "--pair") -> tuple[str, str]:
    """``"FROM,TO"`` (or a two-item list) -> ``(FROM, TO)``, checked against the framework table."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    keys = [resolve(str(p)) or str(p).strip().lower() for p in parts if str(p).strip()]  # tf -> tensorflow
    unknown = [k for k in keys if k not in BY_KEY]
    if unknown:
        raise PairError(
            f"{where}: unknown framework {', '.join(map(repr, unknown))}; choose from {', '.join(FRAMEWORKS)}"
        )
    if len(keys) != 2 or keys[0] == keys[1]:
        raise PairError(f"{where}: name two different frameworks, e.g. {_EXAMPLE} (from, to)")
    return keys[0], keys[1]


def configured_pair() -> tuple[str, str]:
    """The pair from the config file's ``[frameworks] pair``, else the default pair.

    Raises :class:`PairError` (naming the file) for a pair it cannot use.
    """
    from fwcheat.paths import config_file

    path = config_file()
    if not os.path.isfile(path):
        return DEFAULT_PAIR
    import tomllib

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PairError(f"{path}: {exc}") from exc
    section = data.get("frameworks", {})
    value = section.get("pair") if isinstance(section, dict) else None
    if value is None:
        return DEFAULT_PAIR
    if not isinstance(value, str | list):
        raise PairError(f"{path}: [frameworks] pair must be a list such as {list(DEFAULT_PAIR)}")
    return parse_pair(value, f"{path}: [frameworks] pair")


def shown_and_others(
    has: list[str] | tuple[str, ...],
    pair: tuple[str, str],
    framework: str | None = None,
    matched: tuple[str, ...] | list[str] = (),
) -> tuple[list[str], list[str]]:
    """Which of an entry's frameworks (``has``) to show, and the others it has.

    With ``framework``, only that one. Otherwise the pair's frameworks the entry
    has, plus those whose API the query ``matched`` when it matched none of the
    pair's (a search for a TensorFlow name such as GradientTape shows the
    TensorFlow snippet beside the pair); when that makes fewer
    than two, the entry's other frameworks fill up to two, so an entry is
    always shown side by side when it can be.
    """
    if framework is not None:
        return [fw for fw in has if fw == framework], [fw for fw in has if fw != framework]
    extra = () if any(fw in pair for fw in matched) else matched
    shown = [fw for fw in has if fw in pair or fw in extra]
    for fw in has:
        if len(shown) >= 2:
            break
        if fw not in shown:
            shown.append(fw)
    order = {fw: i for i, fw in enumerate(FRAMEWORKS)}
    shown.sort(key=order.__getitem__)
    return shown, [fw for fw in has if fw not in shown]


def also_in(others: list[str], entry_id: str) -> str:
    """The line that names the frameworks not shown, with the command that shows one."""
    names = ", ".join(label(fw) for fw in others)
    return f"Also in {names}: fwcheat show {entry_id} -f {others[0]}"
