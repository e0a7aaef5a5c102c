"""Which appraisal month an audit belongs to, when the device's clock may be wrong.

A device stamps `started_at` and `submitted_at` with its own clock, which can be days off or
reset to 1970. The server records when it received each revision and trusts the device's
time only when it is plausible against that receipt:

- not later than the receipt (plus CLOCK_AHEAD of slack for small drift), and
- not earlier than the receipt minus OFFLINE_DAYS (the longest a device works offline), and
- `started_at` not after `submitted_at`.

A plausible device time files the audit in the month of its `submitted_at` (of `started_at`
for a draft), in the site's time zone, because that is when the officer walked the zone. An
implausible one files it in the month the server received it, and the audit carries a
`clock_flag` saying why, so a supervisor sees it; it is never filed silently elsewhere.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

CLOCK_AHEAD = timedelta(minutes=10)
OFFLINE_DAYS = 14


def as_utc(moment: datetime) -> datetime:
    """Device times without an offset are taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def clock_problem(
    started_at: datetime, submitted_at: datetime | None, received_at: datetime
) -> str | None:
    device_time = as_utc(submitted_at or started_at)
    if device_time > received_at + CLOCK_AHEAD:
        return f"device time {device_time:%Y-%m-%d %H:%M} UTC is after the server received it"
    if device_time < received_at - timedelta(days=OFFLINE_DAYS):
        return (
            f"device time {device_time:%Y-%m-%d %H:%M} UTC is more than {OFFLINE_DAYS} days"
            " before the server received it"
        )
    if submitted_at and as_utc(started_at) > as_utc(submitted_at):
        return "started_at is after submitted_at"
    return None


def audit_day(
    started_at: datetime,
    submitted_at: datetime | None,
    received_at: datetime,
    timezone: str,
) -> tuple[str, str | None]:
    """(YYYY-MM-DD, clock flag or None): the sites' date an audit counts on, by the rule above.

    The day decides whose zone it was (the owners on that day); its month, the appraisal month.
    """
    problem = clock_problem(started_at, submitted_at, received_at)
    moment = received_at if problem else as_utc(submitted_at or started_at)
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d"), problem


def appraisal_month(
    started_at: datetime,
    submitted_at: datetime | None,
    received_at: datetime,
    timezone: str,
) -> tuple[str, str | None]:
    """(YYYY-MM, clock flag or None) for one revision received at `received_at`."""
    day, problem = audit_day(started_at, submitted_at, received_at, timezone)
    return day[:7], problem


def site_day(moment: datetime, settings) -> str:
    """The date (ISO) a moment falls on in the sites' time zone."""
    return moment.astimezone(ZoneInfo(settings.timezone)).date().isoformat()


def today(settings) -> str:
    """Today's date in the sites' time zone (ISO)."""
    return site_day(datetime.now(UTC), settings)
