"""Who is running this process, from the real user id (never from ``USER``/``LOGNAME``).

Every audit event and every role check uses this name, so it must not be something a user can
set: ``USER``, ``LOGNAME`` and ``HOME`` are ignored. ``SUDO_USER`` names the person only when the
process really runs as root (real uid 0) and names an existing account (``SUDO_UID``, when sudo
set it, must agree): ``sudo ahr ...`` is recorded as the person who typed it. The SSH client
address (validated as an IP address) and the tty are recorded with each event when present.
"""

from __future__ import annotations

import ipaddress
import os
import pwd
import sys

from ahr_tui.store.actor import Actor

__all__ = ["Actor", "controlling_tty", "current_actor", "os_user_name", "ssh_client"]


def os_user_name(uid: int | None = None) -> str:
    uid = os.getuid() if uid is None else uid
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = f"uid{uid}"
    if uid == 0:
        return _sudo_user() or name
    return name


def _sudo_user() -> str | None:
    sudo_user = os.environ.get("SUDO_USER")
    if not sudo_user or sudo_user == "root":
        return None
    try:
        entry = pwd.getpwnam(sudo_user)
    except KeyError:
        return None
    sudo_uid = os.environ.get("SUDO_UID")
    if sudo_uid is not None and sudo_uid != str(entry.pw_uid):
        return None
    return entry.pw_name


def ssh_client() -> str | None:
    """The client address from ``SSH_CONNECTION`` (``client port server port``), if it is one."""
    fields = os.environ.get("SSH_CONNECTION", "").split()
    if not fields:
        return None
    try:
        return str(ipaddress.ip_address(fields[0]))
    except ValueError:
        return None


def controlling_tty() -> str | None:
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            if stream is not None and stream.isatty():
                return os.ttyname(stream.fileno())
        except (OSError, ValueError, AttributeError):
            continue
    return None


def current_actor() -> Actor:
    return Actor(name=os_user_name(), client=ssh_client(), tty=controlling_tty())
