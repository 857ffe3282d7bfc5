"""Where a notification is in its delivery: the one set of states the outbox stores.

The notify layer owns them (DESIGN.md section 5, ``ahr notify list --json``'s ``state``): the
services that queue notifications (the sweep, escalations, case actions) write ``PENDING`` or,
with no address to send to, ``UNDELIVERABLE``; ``service.delivery`` moves a ``PENDING`` one to
``SENT`` or ``FAILED``; the sample writes all four. The values are what the ``notification``
table's ``state`` column holds (text; no schema change), so write ``.value`` to the database.
"""

from __future__ import annotations

from enum import StrEnum


class DeliveryState(StrEnum):
    #: Queued; sent when due (``next_attempt_at``), retried later after a temporary failure.
    PENDING = "pending"
    #: The SMTP server took it (``sent_at``).
    SENT = "sent"
    #: The server refused it for good (a 5xx reply); never retried.
    FAILED = "failed"
    #: Nowhere to send it (no usable address); the reason is in ``last_error``.
    UNDELIVERABLE = "undeliverable"
