"""The help screen (`?` or F1): every key, what it does, and how the app works."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from fwcheat.frameworks import short
from fwcheat.tui.kernels import SIDES

INTRO = f"""\
# fwcheat

Type in the search box: English, 中文 or an API name from any framework
(`attach_grad`, `nd.concat`, `view`, `GradientTape`). Up/Down or the mouse picks an
entry; your pair (by default {short(SIDES[0])} and {short(SIDES[1])}) appears side by side
under the notes, which scroll (Tab reaches them; "See also" links follow them).
**F3** shows another of the entry's frameworks (TensorFlow, Keras) in the focused pane,
**F4** all of them side by side. The code panes are editors: change the code and run it
as edited; edits are kept while you browse, and **ctrl+s** saves them as your own
knowledge entry. Long lines wrap; `↪` marks a continued row.

The shown frameworks' kernels start in the background when the app opens. Each run
starts from a fresh namespace with `device` / `ctx` bound to the chosen device; the line
under each output runs free code in the namespace of the last run.
"""


class HelpScreen(ModalScreen[None]):
    """A modal with the key table; any of Escape, q, ? or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help"),
    ]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        rows = "\n".join(f"| `{key}` | {what} |" for key, what in self.keys)
        table = f"\n## Keys\n\n| key | action |\n|---|---|\n{rows}\n\nEscape closes this help.\n"
        with VerticalScroll(id="help-body"):
            yield Markdown(INTRO + table)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
