"""Reusable widgets of the TUI: they render and post messages; screens act on them."""
