"""Screens of the fwcheat TUI besides the main one."""
