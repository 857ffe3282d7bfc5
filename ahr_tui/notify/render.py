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


def _one_line(value: str) -> str:
    """Subjects and names are one line: CR, LF and other controls become spaces."""
    return "".join(" " if _is_control(ch) else ch for ch in value)


def _text(value: str) -> str:
    """Free text in a body keeps its line breaks and tabs; other controls are dropped."""
    return "".join(ch for ch in value if ch in "\n\t" or not _is_control(ch))


def _is_control(ch: str) -> bool:
    return ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029"


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
