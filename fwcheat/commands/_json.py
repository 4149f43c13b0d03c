"""The JSON shape of an entry, shared by `search --json`, `show --json` and `list --json`.

One function, so the three commands describe an entry with the same fields. It
works from a :class:`~fwcheat.knowledge.card.Card` (no msgspec on the search path).
"""

from __future__ import annotations

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
    import json

    return json.dumps(data, ensure_ascii=False, indent=2)
