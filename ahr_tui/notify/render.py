"""Render a notification's subject and body from its kind's template file.

One plain-text file per kind in ``templates/``: the first line is ``Subject: ...``, the rest is
the body. Placeholders are ``${name}`` (``string.Template``), so a seller's name containing ``$`` or
braces is inserted literally and never evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from string import Template

from ahr_tui.rules import BY_CODE, NotificationKind


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


def _one_line(value: str) -> str:
    """Subjects are one line: CR, LF and other controls become spaces."""
    return "".join(" " if ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 else ch for ch in value)


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
    subject_t, body_t = _template(kind)
    info = BY_CODE.get(store)
    values = {
        "seller_id": seller_id,
        "seller_name": seller_name,
        "store": store,
        "store_name": info.name if info else store,
        "case_id": "" if case_id is None else str(case_id),
        "policy": (policy or "").replace("_", " "),
        "summary": summary or "",
        "deadline_utc": deadline.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if deadline else "",
    }
    subject = _one_line(subject_t.safe_substitute(values))
    return Rendered(subject=subject, body=body_t.safe_substitute(values).strip() + "\n")
