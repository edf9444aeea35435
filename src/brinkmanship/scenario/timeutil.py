"""Parsing of ISO 8601 times and of durations such as ``12h``, ``1d6h`` or ``PT30M``."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_SHORT = re.compile(r"^(?:(\d+(?:\.\d+)?)([dhms]))+$")
_SHORT_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")
_ISO = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str | int | float) -> timedelta:
    """Parse ``90m``, ``12h``, ``1d12h``, ``PT12H`` or ``P1DT6H`` into a timedelta.

    Raises ValueError with a message saying what forms are accepted.
    """
    if isinstance(text, bool) or not isinstance(text, str):
        raise ValueError(f"duration {text!r} needs a unit, e.g. '12h', '30m', '2d' or 'PT12H'")
    s = text.strip()
    if _SHORT.match(s):
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _SHORT_PART.findall(s))
        return _bounded(text, seconds)
    m = _ISO.match(s)
    if m and s not in ("P", "PT") and not s.endswith("T"):
        seconds = sum(float(m.group(u) or 0) * _UNIT_SECONDS[u.lower()] for u in "dhms")
        return _bounded(text, seconds)
    raise ValueError(f"cannot read duration {text!r}; write e.g. '12h', '30m', '1d6h' or 'PT12H'")


MAX_DURATION_DAYS = 36_525
"""A century: no tick, delay or latency in a scenario is longer."""


def _bounded(text: str, seconds: float) -> timedelta:
    if not seconds <= MAX_DURATION_DAYS * 86_400:  # also NaN and infinity
        raise ValueError(f"duration {text!r} is longer than a century; no scenario needs that")
    return timedelta(seconds=seconds)


def get_zone(name: str) -> tzinfo:
    """Return the IANA time zone ``name`` or raise ValueError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as 'America/New_York' or 'UTC'"
        ) from exc


def parse_time(text: str, zone: tzinfo | None) -> datetime:
    """Parse an ISO 8601 date-time; a time without an offset is read in ``zone``.

    Raises ValueError when the text is not a date-time or has no zone to be read in.
    """
    if not isinstance(text, str):
        raise ValueError(f"time {text!r} must be an ISO 8601 string such as '1962-10-16T08:45'")
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(s)
    except ValueError as exc:
        raise ValueError(
            f"cannot read time {text!r}; write ISO 8601, e.g. '1962-10-16T08:45' "
            "or '1962-10-16T08:45-04:00'"
        ) from exc
    if value.tzinfo is None:
        if zone is None:
            raise ValueError(f"time {text!r} has no UTC offset and the clock names no timezone")
        value = value.replace(tzinfo=zone)
    return value


def format_time(value: datetime, zone: tzinfo) -> str:
    """ISO 8601 in ``zone`` with its offset, to the minute (seconds only when non-zero)."""
    local = value.astimezone(zone)
    spec = "seconds" if local.second else "minutes"
    return local.isoformat(timespec=spec)


def format_duration(delta: timedelta) -> str:
    """A short human duration: ``1d6h``, ``45m``."""
    total = int(delta.total_seconds())
    parts = []
    for unit, size in _UNIT_SECONDS.items():
        n, total = divmod(total, size)
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts) or "0s"


def has_clock(iso: str) -> bool:
    """Whether an ISO 8601 text names a time of day ("1962-10-23" is a date alone: a record
    that gives no hour, shown without one)."""
    return "T" in iso


def clock_text(when: datetime) -> str:
    """A time of day as people write it: "7 p.m.", "8:45 a.m.", "noon", "midnight"."""
    if when.minute == 0 and when.hour in (0, 12):
        return "midnight" if when.hour == 0 else "noon"
    hour = when.hour % 12 or 12
    minutes = f":{when.minute:02d}" if when.minute else ""
    return f"{hour}{minutes} {'a.m.' if when.hour < 12 else 'p.m.'}"


def date_text(when: datetime) -> str:
    """A date as people write it: "22 October 1962"."""
    return f"{when.day} {when.strftime('%B %Y')}"


def moment_text(when: datetime) -> str:
    """A time and day as people write them: "6 p.m., 22 October"."""
    return f"{clock_text(when)}, {when.day} {when.strftime('%B')}"
