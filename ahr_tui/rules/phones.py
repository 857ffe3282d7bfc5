"""Whether an emergency phone is one a person could dial (DESIGN.md sections 4 and 8).

phonenumbers decides validity, parsed with the store's country as the default region; this
module adds the rules it lacks, each with its source in ``phone_status``. Used by eligibility
(and so by the sweep, the CLI and the app) and by the sample generator; the app shows an
operator the number as it is dialled and the time where it rings (``dialling_format``,
``phone_time_zones``, ``local_time``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any


class PhoneStatus(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    MISSING = "missing"


def phone_status(phone: str | None, region: str) -> PhoneStatus:
    """Whether a person could dial ``phone`` (DESIGN.md section 8): phonenumbers' validity,
    parsed with the store's country as the default region, plus two rules it lacks.

    - A number written with ``00`` (ITU-T E.164's recommended international prefix, used across
      Europe, China, India, Latin America) is international in every store: ``001 212 736 5000``
      in a US store is +1 212 736 5000, as a seller abroad writes it. phonenumbers only reads the
      default region's own prefix (011 in North America), so it is tried second, when the number
      as written is not valid (``0011`` in Australia stays Australia's own prefix).
    - North America's 555-0100 to 555-0199, in every area code, are reserved for fiction
      (NANPA, "555 NXX Line Numbers": https://nationalnanpa.com/number_resource_info/555_numbers.html);
      in toll-free codes only 555-0199 is. phonenumbers calls them valid
      (https://github.com/google/libphonenumber/issues/1393, open since 2016), so a placeholder
      like ``(212) 555-0123`` would get a seller enrolled.
    """
    if phone is None or not phone.strip():
        return PhoneStatus.MISSING
    import phonenumbers  # here, not at the top: the TUI's first frame needs the rules, not this

    parsed = _valid_number(phonenumbers, phone, region)
    if parsed is None and phone.lstrip().startswith("00"):
        parsed = _valid_number(phonenumbers, "+" + phone.lstrip()[2:], region)
    if parsed is None or _fictional(parsed.country_code, str(parsed.national_number)):
        return PhoneStatus.INVALID
    return PhoneStatus.VALID


def dialling_format(phone: str | None, region: str) -> str | None:
    """``phone`` as an operator dials it: phonenumbers' international format
    (``+1 415-555-2671``, ``+44 20 7946 0958``), read as ``phone_status`` reads it; None when
    the number is missing or not one a person could dial."""
    if phone_status(phone, region) is not PhoneStatus.VALID:
        return None
    import phonenumbers

    assert phone is not None
    parsed = _valid_number(phonenumbers, phone, region)
    if parsed is None:  # valid only as written with 00
        parsed = _valid_number(phonenumbers, "+" + phone.lstrip()[2:], region)
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def phone_time_zones(phone: str | None, region: str) -> tuple[str, ...]:
    """The IANA zones phonenumbers places ``phone`` in (from its country and area code:
    ``+1 415 ...`` is ``America/Los_Angeles``), read as ``phone_status`` reads it; empty when
    the number is not dialable or its place is unknown. A toll-free or mobile range may give
    several."""
    if phone_status(phone, region) is not PhoneStatus.VALID:
        return ()
    import phonenumbers
    from phonenumbers import timezone

    assert phone is not None
    parsed = _valid_number(phonenumbers, phone, region)
    if parsed is None:
        parsed = _valid_number(phonenumbers, "+" + phone.lstrip()[2:], region)
    zones = tuple(timezone.time_zones_for_number(parsed))
    return () if zones == (timezone.UNKNOWN_TIMEZONE,) else zones


def local_time(zones: tuple[str, ...], at: datetime) -> str | None:
    """The wall-clock time at ``at`` (aware) where a number with these ``zones`` rings:
    ``Mon 09:12 America/Los_Angeles``; None when there is no zone, or when the zones disagree on
    the time (a number that may ring in several), so that a guess is never shown as a fact."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        times = {at.astimezone(ZoneInfo(name)).replace(tzinfo=None) for name in zones}
    except (ZoneInfoNotFoundError, ValueError):
        return None
    if len(times) != 1:
        return None
    (moment,) = times
    place = zones[0] if len(zones) == 1 else f"{zones[0]} and {len(zones) - 1} more"
    return f"{moment:%a %H:%M} {place}"


def _valid_number(phonenumbers: Any, phone: str, region: str) -> Any:
    """The parsed number if phonenumbers finds it valid, else None."""
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


_NANP_TOLL_FREE = frozenset({"800", "833", "844", "855", "866", "877", "888"})


def _fictional(country_code: int, national: str) -> bool:
    """North America's numbers reserved for fiction (see ``phone_status``)."""
    if country_code != 1 or len(national) != 10 or national[3:6] != "555":
        return False
    if national[:3] in _NANP_TOLL_FREE:
        return national[6:] == "0199"
    return national[6:8] == "01"
