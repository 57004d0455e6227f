"""Quartz cron expressions (as Databricks schedules use them) evaluated with croniter in the job's time zone."""

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

# Quartz numbers days of week 1-7 from Sunday; croniter 0-6 from Sunday.
_DOW_NUMBER = re.compile(r"(?<![#/\d])([1-7])(?!\d)")


class QuartzError(ValueError):
    """An expression or time zone we cannot schedule, with the field path and the reason."""


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: croniter's seconds-first expression in a time zone."""

    quartz: str
    cron: str
    zone: ZoneInfo
    paused: bool

    def next_fires(self, after: datetime, count: int = 1) -> list[datetime]:
        """The next `count` fire times strictly after `after`."""
        it = croniter(self.cron, after.astimezone(self.zone), second_at_beginning=True)
        return [it.get_next(datetime) for _ in range(count)]

    def last_fire(self, at_or_before: datetime) -> datetime:
        """The latest fire time at or before the given time."""
        it = croniter(self.cron, at_or_before.astimezone(self.zone), second_at_beginning=True)
        return it.get_prev(datetime)


def parse_schedule(schedule: dict) -> Schedule:
    """Check and convert a Jobs API schedule block."""
    expression = schedule.get("quartz_cron_expression", "")
    try:
        zone = ZoneInfo(schedule.get("timezone_id", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise QuartzError(f"schedule.timezone_id: unknown time zone {schedule.get('timezone_id')!r}") from None
    cron = quartz_to_cron(expression)
    if not croniter.is_valid(cron, second_at_beginning=True):
        raise QuartzError(f"schedule.quartz_cron_expression: {expression!r} is not a valid Quartz expression")
    return Schedule(expression, cron, zone, schedule.get("pause_status") == "PAUSED")


def quartz_to_cron(expression: str) -> str:
    """'sec min hour day-of-month month day-of-week [year]' in Quartz -> croniter's seconds-first form."""
    fields = expression.split()
    where = f"schedule.quartz_cron_expression: {expression!r}"
    if len(fields) not in (6, 7):
        layout = "seconds minutes hours day-of-month month day-of-week [year]"
        raise QuartzError(f"{where} has {len(fields)} fields; Quartz needs 6 or 7 ({layout})")
    if len(fields) == 7 and fields[6] not in ("*", "?"):
        raise QuartzError(f"{where}: a year field other than * is not supported locally")
    if "W" in fields[3] or "L" in fields[5] or "C" in "".join(fields[3:6]):
        raise QuartzError(f"{where}: the W, C and day-of-week L modifiers are not supported locally")
    if fields[3] != "?" and fields[5] != "?":
        raise QuartzError(f"{where}: one of day-of-month and day-of-week must be '?', as Quartz requires")
    seconds, minutes, hours, dom, month, dow = fields[:6]
    dow = _DOW_NUMBER.sub(lambda m: str(int(m.group(1)) - 1), dow)
    return " ".join([seconds, minutes, hours, dom.replace("?", "*"), month, dow.replace("?", "*")])
