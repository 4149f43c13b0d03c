"""One framework's side of the pair: the editable code, its output and a REPL line."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, TextArea

from fwcheat.tui.kernels import LABELS
from fwcheat.tui.widgets.code_editor import CodeEditor
from fwcheat.tui.widgets.output_pane import OutputPane


class ReplInput(Input):
    """A line of free code run in the framework's kernel, with Up/Down history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous line", show=False),
        Binding("down", "history(1)", "Next line", show=False),
    ]

    def __init__(self, framework: str, *, id: str | None = None) -> None:
        super().__init__(
            placeholder=f"{LABELS[framework]} >>> code run in the same namespace (Enter)",
            id=id,
            compact=True,
        )
        self.framework = framework
        self.history: list[str] = []
        self._position = 0

    def remember(self, line: str) -> None:
        if line and (not self.history or self.history[-1] != line):
            self.history.append(line)
        self._position = len(self.history)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        self._position = max(0, min(len(self.history), self._position + step))
        self.value = self.history[self._position] if self._position < len(self.history) else ""
        self.cursor_position = len(self.value)


class SnippetPane(Vertical):
    """Code (a Python ``TextArea``), output pane and REPL line for one framework."""

    class CodeEdited(Message):
        def __init__(self, framework: str, entry_id: str, code: str) -> None:
            super().__init__()
            self.framework = framework
            self.entry_id = entry_id
            self.code = code

    def __init__(self, framework: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="snippet-pane")
        self.framework = framework
        self.version = ""
        #: The entry's own code; the pane is "edited" when the editor differs from it.
        self.base: str | None = None
        self.entry_id = ""
        self.border_title = LABELS[framework]

    def compose(self) -> ComposeResult:
        editor = CodeEditor(id=f"code-{self.framework}")
        editor.border_title = "code"
        yield editor
        yield OutputPane(id=f"output-{self.framework}")
        yield ReplInput(self.framework, id=f"repl-{self.framework}")

    @property
    def editor(self) -> TextArea:
        return self.query_one(TextArea)

    @property
    def output(self) -> OutputPane:
        return self.query_one(OutputPane)

    @property
    def code(self) -> str:
        return self.editor.text

    @property
    def edited(self) -> bool:
        return self.base is not None and self.editor.text.rstrip("\n") != self.base.rstrip("\n")

    def load(self, entry_id: str, base: str | None, shown: str | None = None) -> None:
        """Show the entry's code ``base`` or an edit of it (None: no snippet for this framework)."""
        self.entry_id = entry_id
        self.base = base
        self.editor.read_only = base is None
        text = shown if shown is not None else base
        # No trailing newline: it would show as an empty numbered line.
        shown_text = text.rstrip("\n") if text is not None else f"# no {LABELS[self.framework]} snippet"
        self.editor.load_text(shown_text)
        self._title()

    def set_version(self, version: str) -> None:
        self.version = version
        self._title()

    def _title(self) -> None:
        title = LABELS[self.framework] + (f" {self.version}" if self.version else "")
        self.border_title = title + (" · edited" if self.edited else "")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._title()
        if self.base is not None:
            self.post_message(self.CodeEdited(self.framework, self.entry_id, self.editor.text))
