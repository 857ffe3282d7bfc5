"""Modal dialogs for the case actions that need a note, evidence or a confirmation."""
