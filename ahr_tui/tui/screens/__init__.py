"""Screens of the TUI (main, accounts view, detail)."""
