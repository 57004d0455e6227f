"""Mood anchors: each is a few phrases (what listeners say), a song profile (Spotify audio features) and movie genres/keywords.

A classifier learns each mood from its phrases and those of service/chat/training.py (mood.py); the most likely anchors
are mixed into a target profile. To add a mood, add an Anchor here, phrases for it in training.py (several languages),
a few phrases to tests/chat_regression.json and other wordings to tests/chat_understanding.json.
"""

from dataclasses import dataclass

FEATURES = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "tempo")
# tempo is in BPM; divided by TEMPO_SCALE it weighs about as much as a 0-1 feature in the distance
TEMPO_SCALE = 100.0


@dataclass(frozen=True)
class Anchor:
    """One mood: phrases to match, a target song profile, movie genres and keywords."""

    name: str
    phrases: tuple[str, ...]
    profile: dict
    genres: tuple[str, ...]
    keywords: tuple[str, ...]
    says: str  # how the answer describes the mood


def profile(energy, valence, danceability, acousticness, instrumentalness, tempo) -> dict:
    """A target profile by feature name."""
    return dict(zip(FEATURES, (energy, valence, danceability, acousticness, instrumentalness, tempo), strict=True))


ANCHORS = (
    Anchor("upbeat", ("I'm feeling upbeat", "happy and cheerful", "in a great mood", "sunny day good vibes", "feel good"),
           profile(0.80, 0.85, 0.72, 0.15, 0.02, 122), ("Comedy", "Family", "Music"), ("friendship", "feel-good", "musical"), "upbeat and happy"),
    Anchor("party", ("party tonight", "dance all night", "club bangers", "let's dance", "pre-game with friends"),
           profile(0.88, 0.75, 0.85, 0.05, 0.03, 126), ("Comedy", "Music"), ("party", "dance", "nightclub"), "ready to party"),
    Anchor("workout", ("workout at the gym", "running playlist", "pump me up", "lifting weights", "high intensity training", "going for a run"),
           profile(0.95, 0.60, 0.70, 0.03, 0.05, 140), ("Action", "Adventure"), ("sport", "martial arts", "boxing"), "pumped for a workout"),
    Anchor("calm", ("something calm for reading", "relax and unwind", "a quiet chill evening", "peaceful and mellow", "cozy sunday"),
           profile(0.25, 0.45, 0.45, 0.75, 0.30, 90), ("Animation", "Family", "Documentary"), ("nature", "friendship", "small town"), "calm and relaxed"),
    Anchor("focus", ("focus while working", "concentrate on studying", "deep work background music", "coding session", "music for homework", "focus on my project"),
           profile(0.40, 0.40, 0.50, 0.40, 0.70, 110), ("Documentary", "History"), ("biography", "based on true story", "scientist"), "focused"),
    Anchor("sad", ("I'm feeling sad", "heartbroken after a breakup", "crying and lonely", "feeling down and blue", "a good cry"),
           profile(0.30, 0.15, 0.40, 0.60, 0.05, 85), ("Drama", "Romance"), ("loss", "grief", "tragedy"), "sad"),
    Anchor("angry", ("I'm so angry", "my boss made me mad", "frustrated and furious", "need to vent my rage", "pissed off"),
           profile(0.92, 0.30, 0.50, 0.05, 0.05, 135), ("Action", "Crime", "Thriller"), ("revenge", "fight", "vigilante"), "angry, so let it out"),
    Anchor("romantic", ("date night", "romantic dinner", "falling in love", "candlelight slow dance", "something for my partner"),
           profile(0.45, 0.60, 0.62, 0.45, 0.02, 95), ("Romance",), ("love", "relationship", "wedding"), "in a romantic mood"),
    Anchor("sleep", ("help me fall asleep", "bedtime", "late night wind down", "soothing lullaby", "can't sleep", "time to sleep"),
           profile(0.10, 0.30, 0.30, 0.90, 0.60, 70), ("Animation", "Family"), ("dream", "fairy tale", "night"), "winding down for sleep"),
    Anchor("nostalgic", ("nostalgic throwback", "memories of the good old days", "songs from my childhood", "classic oldies"),
           profile(0.55, 0.60, 0.60, 0.35, 0.02, 110), ("Drama", "Music", "History"), ("nostalgia", "coming of age", "1960s"), "nostalgic"),
    Anchor("roadtrip", ("road trip", "driving on the highway", "windows down cruising", "long drive"),
           profile(0.75, 0.70, 0.60, 0.15, 0.02, 118), ("Adventure", "Comedy"), ("road trip", "road movie", "journey"), "on the road"),
    Anchor("morning", ("wake up", "morning coffee", "start the day fresh", "breakfast"),
           profile(0.60, 0.70, 0.60, 0.35, 0.05, 110), ("Comedy", "Family"), ("friendship", "family", "new beginning"), "starting the day"),
    Anchor("funny", ("a funny movie", "make me laugh", "something hilarious", "silly comedy"),
           profile(0.70, 0.85, 0.75, 0.20, 0.02, 118), ("Comedy",), ("comedy", "parody", "satire"), "looking for a laugh"),
    Anchor("scary", ("something scary", "horror night", "creepy and spooky", "a thriller that keeps me up"),
           profile(0.60, 0.10, 0.35, 0.30, 0.40, 100), ("Horror", "Thriller"), ("haunted house", "ghost", "serial killer"), "after a scare"),
    Anchor("thoughtful", ("something mind-bending", "thought-provoking", "makes me think", "deep and philosophical"),
           profile(0.45, 0.35, 0.45, 0.40, 0.45, 105), ("Science Fiction", "Mystery", "Drama"), ("dystopia", "time travel", "artificial intelligence"), "in a thoughtful mood"),
    Anchor("adventure", ("an epic adventure", "action packed", "explosions and car chases", "adrenaline rush"),
           profile(0.90, 0.55, 0.55, 0.05, 0.10, 130), ("Action", "Adventure", "Science Fiction"), ("hero", "quest", "superhero"), "up for adventure"),
)  # fmt: skip

BY_NAME = {anchor.name: anchor for anchor in ANCHORS}
