"""The JSON shape of an entry, shared by `search --json`, `show --json` and `list --json`.

One function, so the three commands describe an entry with the same fields. It
works from a :class:`~fwcheat.knowledge.card.Card` (no msgspec on the search path).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing itself is not imported on the search path
if TYPE_CHECKING:
    from fwcheat.knowledge.card import Card


def card_json(card: Card, *, full: bool = True) -> dict[str, object]:
    """``card`` as plain data: ids and titles always; with ``full``, the code, notes and the rest."""
    data: dict[str, object] = {
        "id": card.id,
        "title": card.title,
        "title_zh": card.title_zh,
        "category": card.category,
        "frameworks": [fw for fw, _ in card.snippets],
    }
    if not full:
        return data
    setups = dict(card.setups)
    outputs = dict(card.outputs)
    snippets: dict[str, dict[str, str]] = {}
    for fw, code in card.snippets:
        snippet = {"code": code}
        if fw in setups:
            snippet["setup"] = setups[fw]
        if fw in outputs:
            snippet["output"] = outputs[fw]
        snippets[fw] = snippet
    data.update(
        summary=" ".join(card.summary.split()),
        snippets=snippets,
        notes=[" ".join(note.split()) for note in card.notes],
        see_also=list(card.see_also),
    )
    return data


def dumps(data: object) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2)``, written without importing json.

    The json package is a tenth of a `search --json` answer's own time; the data here
    is plain (dicts with string keys, lists, strings, numbers, booleans, None), and a
    test holds this to json.dumps' output, byte for byte.
    """
    parts: list[str] = []
    _dump(data, parts, "\n")
    return "".join(parts)


_ESCAPE = re.compile(r'[\x00-\x1f\\"]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(text: str) -> str:
    return '"' + _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04x}"), text) + '"'


def _dump(value: object, parts: list[str], newline: str) -> None:
    if isinstance(value, str):
        parts.append(_string(value))
    elif value is None or isinstance(value, bool):
        parts.append({None: "null", True: "true", False: "false"}[value])
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        if value != value:
            parts.append("NaN")
        elif value in (float("inf"), float("-inf")):
            parts.append("Infinity" if value > 0 else "-Infinity")
        else:
            parts.append(float.__repr__(value))
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        parts.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(f"JSON keys must be strings here, not {type(key).__name__}")
            parts.append(("," if index else "") + inner + _string(key) + ": ")
            _dump(item, parts, inner)
        parts.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        parts.append("[")
        for index, item in enumerate(value):
            parts.append(("," if index else "") + inner)
            _dump(item, parts, inner)
        parts.append(newline + "]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
