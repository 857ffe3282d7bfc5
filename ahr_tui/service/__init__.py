"""Use cases shared by the CLI and the TUI: every read, every write and every transaction.

Kept empty on purpose: importing a service module must not load SQLAlchemy for the others
(the TUI's first frame is drawn from ``service.snapshots.quick_snapshot`` before it loads).
"""
