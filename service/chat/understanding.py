"""What the chat understood of a message, before any song or movie is looked up: a mood, a request with no mood, or
an off-topic message; and the filters, each checked against the tables (what they lack, and what is offered instead).
"""

from dataclasses import dataclass

from service.chat.catalogue import Catalogue
from service.chat.intent import Intent, parse
from service.chat.mood import REQUEST, Mood, MoodMatcher


@dataclass
class Understanding:
    """The parsed request and its mood."""

    intent: Intent
    mood: Mood

    @property
    def off_topic(self) -> bool:
        """Not a request for songs or movies: refused."""
        return self.mood.off_topic

    @property
    def outcome(self) -> str:
        """mood, no_mood (on topic, popular picks) or off_topic."""
        return "off_topic" if self.off_topic else "mood" if self.mood.understood else "no_mood"

    def summary(self) -> dict:
        """The understanding as plain values (what tools/bench/chat_understanding.py scores)."""
        intent, missing = self.intent, self.intent.missing()
        return {
            "outcome": self.outcome,
            "anchor": self.mood.top if self.mood.understood else None,
            "domain": intent.domain,
            "genre": None if "genre" in missing else intent.genre,
            "artist": None if "artist" in missing else intent.artist,
            "missing_genre": intent.genre_mention.missing if "genre" in missing else None,  # the genre's name
            "genre_said": missing.get("genre", {}).get("asked"),  # the words used for it ("heavy metal")
            "genre_alternative": missing.get("genre", {}).get("instead"),
            "sound_alternative": bool(missing.get("genre", {}).get("sound")),
            "missing_artist": missing.get("artist", {}).get("asked"),
            "artist_alternatives": missing.get("artist", {}).get("similar", []),
            "missing_era": "era" in missing,
        }


def understand(message: str, domain: str, catalogue: Catalogue, matcher: MoodMatcher) -> Understanding:
    """Parse the filters, then classify what is left. A message that names a genre, an artist or an era asks for songs
    or movies whatever the classifier says of the rest, so it is never refused as off-topic."""
    intent = parse(message, domain, catalogue)
    mood = matcher.match(intent.mood_text)
    if mood.off_topic and intent.names_something():
        mood.off_topic, mood.verdict = False, REQUEST
    return Understanding(intent, mood)
