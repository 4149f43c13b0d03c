"""The status line: device, each kernel's state and framework version, last message."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from fwcheat.frameworks import short
from fwcheat.tui.kernels import SIDES

if TYPE_CHECKING:
    from fwcheat.tui.kernels import KernelState

_STYLES = {
    "off": "dim",
    "starting": "yellow",
    "idle": "green",
    "busy": "bold magenta",
    "dead": "bold red",
    "unavailable": "red",
}


class StatusBar(Static):
    """One line at the bottom; :meth:`refresh_status` redraws it from the current states."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.device = "cpu"
        self.states: dict[str, KernelState] = {}
        #: The frameworks whose panes are shown (their kernels are the ones listed).
        self.frameworks: list[str] = list(SIDES)
        self.message = ""

    def refresh_status(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("device ", style="dim")
        text.append(self.device, style="bold")
        for framework in self.frameworks:
            state = self.states.get(framework)
            text.append(" │ ", style="dim")
            name = short(framework) + (f" {state.version}" if state and state.version else "")
            text.append(name + ": ")
            raw = state.state if state else "off"
            label = str(getattr(raw, "value", raw))  # the engine's states are a str enum
            text.append(label, style=_STYLES.get(label, ""))
        if self.message:
            text.append(" │ ", style="dim")
            text.append(self.message)
        self.update(text)

    def set_frameworks(self, frameworks: list[str]) -> None:
        self.frameworks = list(frameworks)
        self.refresh_status()

    def set_device(self, device: str) -> None:
        self.device = device
        self.refresh_status()

    def set_state(self, state: KernelState) -> None:
        self.states[state.framework] = state
        self.refresh_status()

    def say(self, message: str) -> None:
        from fwcheat.sanitize import safe_line

        self.message = safe_line(message)
        self.refresh_status()
