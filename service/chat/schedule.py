"""The listening schedule: the day's to-dos in, the free slots filled with playlists that fit, energy matched to each slot."""

import re
from dataclasses import dataclass

from medialake.settings import CLOCK
from service.chat.anchors import BY_NAME
from service.chat.intent import Intent
from service.chat.mood import Mood

TODO = re.compile(
    r"(?P<label>[A-Za-z][\w '&/-]*?)\s*(?:at\s+|from\s+)?(?P<h1>\d{1,2})(?::(?P<m1>\d{2}))?\s*(?P<ap1>am|pm)?\s*(?:-|–|to|until)\s*"
    r"(?P<h2>\d{1,2})(?::(?P<m2>\d{2}))?\s*(?P<ap2>am|pm)?",
    re.I,
)
ACTIVE = re.compile(r"\b(gym|workout|run|running|jog|training|sport|football|soccer|tennis|swim|cycling|bike|hike|climb)\w*", re.I)
WORK = re.compile(r"\b(work|study|office|class|lecture|exam|meeting|homework|school)\w*", re.I)
MIN_SLOT_MINUTES = 10
LEEWAY_SECONDS = 240  # a playlist may stop this much before the slot ends


class ScheduleError(ValueError):
    """A to-do list or day bound that cannot be planned; names the request parameter at fault."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Todo:
    """A busy period of the day, in minutes since midnight."""

    label: str
    start: int
    end: int


def minutes(hour: str, minute: str | None, ampm: str | None) -> int:
    """Minutes since midnight from an hour, optional minutes and am/pm."""
    h = int(hour) % 12 + (12 if ampm and ampm.lower() == "pm" else 0) if ampm else int(hour)
    return h * 60 + int(minute or 0)


def parse_todos(text: str) -> list[Todo]:
    """ "gym 7-8, work 9-17, dinner 19:30-20:15" as to-dos; a ScheduleError when a time is impossible or two overlap."""
    todos = []
    for match in TODO.finditer(text):
        start = minutes(match["h1"], match["m1"], match["ap1"] or (match["ap2"] if int(match["h1"]) <= int(match["h2"]) else None))
        end = minutes(match["h2"], match["m2"], match["ap2"])
        label = match["label"].strip(" ,;-")
        if not (0 <= start < 24 * 60 and 0 < end <= 24 * 60) or end <= start:
            raise ScheduleError("todos", f"{label!r}: {match.group(0).strip()!r} is not a time range within one day")
        todos.append(Todo(label, start, end))
    if not todos:
        raise ScheduleError("todos", 'no to-do with a time range found; write them like "gym 7-8, work 9-17, dinner 19-20"')
    todos.sort(key=lambda t: t.start)
    for a, b in zip(todos, todos[1:], strict=False):
        if b.start < a.end:
            raise ScheduleError("todos", f"{a.label!r} and {b.label!r} overlap")
    return todos


def clock(text: str, parameter: str) -> int:
    """HH:MM (00:00 to 23:59, or 24:00) as minutes since midnight: the settings' clock form (medialake/settings.py CLOCK).

    24:00 is kept because a day may end at midnight, as a to-do may ("party 22-24"); as a day_start it leaves no time,
    and day_bounds refuses it. Spaces, one-digit minutes and non-ASCII digits are refused.
    """
    if not isinstance(text, str) or not CLOCK.fullmatch(text):
        raise ScheduleError(parameter, f"{parameter} must be HH:MM from 00:00 to 23:59 (or 24:00, the end of the day), got {text!r}")
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def day_bounds(day_start: str, day_end: str) -> tuple[int, int]:
    """The day's start and end as minutes since midnight; the end must come after the start."""
    start, end = clock(day_start, "day_start"), clock(day_end, "day_end")
    if start == 24 * 60:
        raise ScheduleError("day_start", "day_start must be before 24:00, which only ends a day")
    if end <= start:
        raise ScheduleError("day_end", "day_end must be after day_start")
    return start, end


def free_slots(todos: list[Todo], day_start: int, day_end: int) -> list[tuple[int, int, Todo | None]]:
    """The gaps between to-dos within the day, each with the to-do that follows it."""
    slots, cursor = [], day_start
    for todo in todos:
        if todo.start - cursor >= MIN_SLOT_MINUTES:
            slots.append((cursor, min(todo.start, day_end), todo))
        cursor = max(cursor, todo.end)
    if day_end - cursor >= MIN_SLOT_MINUTES:
        slots.append((cursor, day_end, None))
    return [s for s in slots if s[1] - s[0] >= MIN_SLOT_MINUTES]


def slot_mood(start: int, end: int, following: Todo | None) -> str:
    """The anchor of a slot: workout before something active, focus before work, then by the time of day."""
    if following and ACTIVE.search(following.label) and following.start - end <= 60:
        return "workout"
    if following and WORK.search(following.label):
        return "focus" if start >= 9 * 60 else "morning"
    if start >= 21 * 60:
        return "sleep" if start >= 22 * 60 else "calm"
    if start < 10 * 60:
        return "morning"
    return "calm" if start >= 18 * 60 else "upbeat"


def playlist(candidates: list[dict], seconds: int, used: set[str]) -> list[dict]:
    """Songs in ranking order whose total fits the slot, none used earlier in the day."""
    chosen, total = [], 0.0
    for song in candidates:
        if song["song_id"] in used or total + song["duration_s"] > seconds:
            continue
        chosen.append(song)
        used.add(song["song_id"])
        total += song["duration_s"]
        if seconds - total < LEEWAY_SECONDS:
            break
    return chosen


def hhmm(minute: int) -> str:
    """Minutes since midnight as HH:MM."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def build(recommender, todos: list[Todo], day_start: int, day_end: int) -> dict:
    """Every free slot with its mood and playlist; songs never repeat within the day."""
    used, slots = set(), []
    for start, end, following in free_slots(todos, day_start, day_end):
        anchor = BY_NAME[slot_mood(start, end, following)]
        seconds = (end - start) * 60
        mood = Mood(True, [{"name": anchor.name, "weight": 1.0, "probability": 1.0}], anchor.profile)
        limit = min(1000, seconds // 120 + len(used) + 20)
        candidates = recommender.songs(Intent("songs", anchor.name), mood, {}, limit, per_artist=3)
        songs = playlist(candidates, seconds, used)
        slots.append(slot_answer(start, end, following, anchor, songs, seconds))
    return {"todos": [{"label": t.label, "start": hhmm(t.start), "end": hhmm(t.end)} for t in todos], "slots": slots}


def slot_answer(start, end, following, anchor, songs, seconds) -> dict:
    """One slot as the answer shows it."""
    filled = round(sum(s["duration_s"] for s in songs))
    return {
        "start": hhmm(start),
        "end": hhmm(end),
        "before": following.label if following else None,
        "mood": anchor.name,
        "target": anchor.profile,
        "seconds": seconds,
        "filled_seconds": filled,
        "songs": [{k: s[k] for k in ("song_id", "title", "artist", "genre", "duration_s", "energy", "valence", "tempo")} for s in songs],
    }
