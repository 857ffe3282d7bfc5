"""Who is running this process, from the real user id (never from ``USER``/``LOGNAME``).

``SUDO_USER`` names the person only when the process really runs as root under sudo. The SSH
client address and the tty are recorded with each event when present.
"""

from __future__ import annotations

import os
import pwd
import sys

from ahr_tui.store.audit import Actor


def os_user_name(uid: int | None = None) -> str:
    uid = os.getuid() if uid is None else uid
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = f"uid{uid}"
    if uid == 0:
        sudo_user = os.environ.get("SUDO_USER")
        if sudo_user and sudo_user != "root":
            return sudo_user
    return name


def current_actor() -> Actor:
    ssh = os.environ.get("SSH_CONNECTION", "").split()
    client = ssh[0] if ssh else None
    tty: str | None = None
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            if stream is not None and stream.isatty():
                tty = os.ttyname(stream.fileno())
                break
        except (OSError, ValueError, AttributeError):
            continue
    return Actor(name=os_user_name(), client=client, tty=tty)
