"""Which e-mail addresses ahr accepts: the one check for imports, operators and the mailer."""

from __future__ import annotations

import re

# An address we are willing to put in an envelope and a header: an RFC 5322 dot-atom local part
# (no quoting, no spaces, ASCII) and a host name.
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)


def is_address(text: str) -> bool:
    """Whether ``text`` is, exactly (no surrounding spaces, no display name), an address
    ``local@host`` that can be used as a recipient or sender."""
    return _ADDRESS.fullmatch(text) is not None
