"""Render a notification's subject and body from its kind's template file.

One plain-text file per kind in ``templates/``: the first line is ``Subject: ...``, the rest is
the body. Placeholders are ``${name}`` (``string.Template``), so a seller's name containing ``$`` or
braces is inserted literally and never evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from string import Template

from ahr_tui.rules import BY_CODE, NotificationKind

# An empty optional value (a case without a summary) must not leave a hole in the body.
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    body: str


@cache
def _template(kind: NotificationKind) -> tuple[Template, Template]:
    text = resources.files("ahr_tui.notify").joinpath("templates", f"{kind.value}.txt").read_text(
        encoding="utf-8"
    )
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"template {kind.value}.txt must start with 'Subject:'")
    return Template(first.removeprefix("Subject:").strip()), Template(body)


_CONTROLS = [*range(32), *range(0x7F, 0xA0), 0x2028, 0x2029]
_TO_SPACE = dict.fromkeys(_CONTROLS, " ")
_DROPPED = {ch: None for ch in _CONTROLS if chr(ch) not in "\n\t"}


def _one_line(value: str) -> str:
    """Subjects and names are one line: CR, LF and other controls become spaces."""
    # every control is unprintable, and most text has none: skip the translation then
    return value if value.isprintable() else value.translate(_TO_SPACE)


def _text(value: str) -> str:
    """Free text in a body keeps its line breaks and tabs; other controls are dropped."""
    return value.translate(_DROPPED)


def render(
    kind: NotificationKind,
    *,
    seller_id: str,
    seller_name: str,
    store: str,
    case_id: int | None = None,
    policy: str | None = None,
    summary: str | None = None,
    deadline: datetime | None = None,
) -> Rendered:
    if case_id is None and policy is None and summary is None and deadline is None:
        values = _seller_only(_one_line(seller_id), _one_line(seller_name))
        if values is not None:
            subject, body = _frame(kind, store)
            return Rendered(subject=subject % values, body=body % values)
    return _render(kind, seller_id, seller_name, store, case_id, policy, summary, deadline)


def _render(
    kind: NotificationKind,
    seller_id: str,
    seller_name: str,
    store: str,
    case_id: int | None,
    policy: str | None,
    summary: str | None,
    deadline: datetime | None,
) -> Rendered:
    subject_t, body_t = _template(kind)
    info = BY_CODE.get(store)
    values = {
        "seller_id": _one_line(seller_id),
        "seller_name": _one_line(seller_name),
        "store": store,
        "store_name": info.name if info else store,
        "case_id": "" if case_id is None else str(case_id),
        "policy": (policy or "").replace("_", " "),
        "summary": _text(summary or "").strip(),
        "deadline_utc": deadline.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if deadline else "",
    }
    subject = _one_line(subject_t.safe_substitute(values))
    body = _BLANK_LINES.sub("\n\n", body_t.safe_substitute(values)).strip() + "\n"
    return Rendered(subject=subject, body=body)


# A notification about the seller alone (the sweep queues hundreds of thousands) fills a frame
# rendered once per kind and store, whose seller id and name are these two placeholder
# characters (private use: never a control, so they survive rendering unchanged).
_ID, _NAME = "\ue000", "\ue001"


@cache
def _frame(kind: NotificationKind, store: str) -> tuple[str, str]:
    """The frame's subject and body as %-format strings taking ``{"i": seller id, "n": name}``:
    filled in one pass each (no scan of the body per placeholder)."""
    frame = _render(kind, _ID, _NAME, store, None, None, None, None)

    def pattern(text: str) -> str:
        return text.replace("%", "%%").replace(_ID, "%(i)s").replace(_NAME, "%(n)s")

    return pattern(frame.subject), pattern(frame.body)


def _seller_only(seller_id: str, name: str) -> dict[str, str] | None:
    """The frame's values when filling it gives ``_render``'s very result; None when a value
    could make them differ (empty, edge whitespace that ``strip`` would take, or a placeholder
    character)."""
    for value in (seller_id, name):
        if not value or value != value.strip() or _ID in value or _NAME in value:
            return None
    return {"i": seller_id, "n": name}


@cache
def _fixed_subject(kind: NotificationKind, store: str) -> str | None:
    """The subject of ``kind`` in ``store`` when it names neither the seller nor their name."""
    subject = _render(kind, _ID, _NAME, store, None, None, None, None).subject
    return None if _ID in subject or _NAME in subject else subject


def seller_subject(kind: NotificationKind, *, seller_id: str, seller_name: str, store: str) -> str:
    """``render(kind, ...).subject`` for a notification about the seller alone, without
    rendering its body (the sweep's batches leave the body to delivery: ``service.outbox``)."""
    fixed = _fixed_subject(kind, store)
    if fixed is not None:
        return fixed
    values = _seller_only(_one_line(seller_id), _one_line(seller_name))
    if values is not None:
        return _frame(kind, store)[0] % values
    return render(kind, seller_id=seller_id, seller_name=seller_name, store=store).subject
