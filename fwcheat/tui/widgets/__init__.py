"""The widgets of the fwcheat TUI, one per module."""
