"""The Textual front end: ``run`` starts it (``ahr tui``, ``ahr demo``)."""
