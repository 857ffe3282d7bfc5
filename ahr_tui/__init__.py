"""ahr_tui: the account managers' tool for Account Health Assurance.

The package is split by role (see DESIGN.md section 2): ``rules`` decides, ``store`` persists,
``service`` runs the use cases shared by ``cli`` and ``tui``.
"""

__version__ = "0.1.0"
