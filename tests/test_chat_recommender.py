"""The offline recommender on real gold tables (tiny generated data, real DuckDB): regression phrases, determinism, grounding."""

import json
import os

import pytest

from service.chat.anchors import ANCHORS, FEATURES
from service.chat.assistant import Assistant, catalogue_of
from service.chat.catalogue import Catalogue
from service.chat.embedding import KeywordEncoder, MiniLMEncoder, MultilingualEncoder, model_dir
from service.chat.intent import parse
from service.chat.mood import MoodMatcher, keyword_matcher
from service.chat.recommender import Recommender
from service.chat.schedule import ScheduleError
from service.warehouse.local import LocalWarehouse
from service.warehouse.lookups import ReferenceLists

CASES = json.load(open(os.path.join(os.path.dirname(__file__), "chat_regression.json")))["cases"]
SONG_GENRES = {"pop", "rock", "rap", "r&b", "latin", "edm"}
MOVIE_GENRES = {"Comedy", "Horror", "Drama", "Romance", "Action", "Family", "Science Fiction"}
TABLES = Catalogue(SONG_GENRES, MOVIE_GENRES, [], range(1950, 2021), range(1950, 2021))


@pytest.fixture(scope="module")
def matcher():
    """The real matcher on the multilingual encoder (its wheel is a pinned requirement)."""
    return MoodMatcher()


@pytest.fixture(scope="module")
def warehouse(gold_lakehouse):
    """The local warehouse over the shared gold tables."""
    return LocalWarehouse(gold_lakehouse)


@pytest.fixture(scope="module")
def recommender(warehouse, matcher):
    """The recommender with the genres, artists and years of the gold tables."""
    return Recommender(warehouse, matcher, catalogue_of(ReferenceLists(warehouse), matcher.encoder))


def test_the_multilingual_wheel_is_used_and_embeds_across_languages(matcher):
    assert matcher.kind == "universal-sentence-encoder-multilingual-3" and isinstance(matcher.encoder, MultilingualEncoder)
    happy, feliz, joyeux, tax = matcher.encoder.encode(["I feel happy", "me siento feliz", "je suis heureux", "quarterly tax return form"])
    assert abs(float(happy @ happy) - 1) < 1e-5
    assert min(happy @ feliz, happy @ joyeux) > 0.5 > max(happy @ tax, feliz @ tax)


def test_the_minilm_fallback_still_embeds_like_minilm():
    encoder = MiniLMEncoder(model_dir())
    happy, joyful, tax = encoder.encode(["I feel happy", "I am joyful", "quarterly tax return form"])
    assert abs(float(happy @ happy) - 1) < 1e-5
    assert happy @ joyful > 0.5 > happy @ tax


def test_regression_set_has_at_least_40_phrases_and_every_anchor():
    assert len(CASES) >= 40
    assert {c["anchor"] for c in CASES} - {None} >= {a.name for a in ANCHORS} - {"funny"} - {"scary"} | {"funny", "scary"}
    assert any(c["anchor"] is None for c in CASES), "gibberish must be in the set"


@pytest.mark.parametrize("case", CASES, ids=[c["phrase"] for c in CASES])
def test_phrase_maps_to_its_anchor_and_profile(matcher, case):
    intent = parse(case["phrase"], "auto", TABLES)
    mood = matcher.match(intent.mood_text)
    assert intent.domain == case["domain"]
    assert (mood.top if mood.understood else None) == case["anchor"], mood.anchors
    if case["profile"]:
        for feature in FEATURES:
            tolerance = 15 if feature == "tempo" else 0.15
            assert abs(mood.profile[feature] - case["profile"][feature]) <= tolerance, feature


def test_keyword_lexicon_is_the_degraded_mode():
    lexicon = keyword_matcher()
    assert isinstance(lexicon.encoder, KeywordEncoder) and lexicon.kind == "keyword-lexicon"
    assert lexicon.match("calm reading").top == "calm"
    assert lexicon.match("date night").top == "romantic"
    assert not lexicon.match("zzzz qqqq").understood


def song_exists(gold, song_id, title, artist) -> bool:
    """The song is in the gold catalogue with this title and artist."""
    return (
        gold.execute(
            "SELECT count(*) FROM songs_catalog WHERE song_id = ? AND title = ? AND artist = ?", [song_id, title, artist]
        ).fetchone()[0]
        == 1
    )


@pytest.mark.parametrize("message", ["I'm feeling upbeat", "something calm for reading", "my boss made me mad", "asdf qwerty zzz"])
def test_song_picks_are_real_distinct_artists_and_deterministic(recommender, gold, message):
    first, again = recommender.recommend(message), recommender.recommend(message)
    assert first["picks"] == again["picks"] and len(first["picks"]) == 3
    assert len({p["artist"].lower() for p in first["picks"]}) == 3, "one song per artist"
    for pick in first["picks"]:
        assert song_exists(gold, pick["id"], pick["title"], pick["artist"])


def test_reasons_cite_the_songs_real_values(recommender, gold):
    answer = recommender.recommend("something calm for reading")
    for pick in answer["picks"]:
        energy, acousticness, tempo, genre = gold.execute(
            "SELECT energy, acousticness, tempo, genre FROM songs_catalog WHERE song_id = ?", [pick["id"]]
        ).fetchone()
        assert f"acousticness {acousticness:.2f}" in pick["reason"] and f"energy {energy:.2f}" in pick["reason"]
        assert f"tempo {round(tempo, 1):.0f} BPM" in pick["reason"] and genre in pick["reason"]


def test_calm_and_workout_picks_differ_in_energy(recommender):
    calm = recommender.recommend("something calm for reading")["picks"]
    workout = recommender.recommend("pump up music for lifting")["picks"]
    mean = lambda picks, f: sum(p["values"][f] for p in picks) / len(picks)  # noqa: E731
    assert mean(workout, "energy") > mean(calm, "energy") + 0.3
    assert mean(calm, "acousticness") > mean(workout, "acousticness")


def test_filters_from_the_text_are_applied(recommender):
    rock = recommender.recommend("upbeat rock songs from the 80s")
    assert rock["filters"] == {"year_from": 1980, "year_to": 1989, "genre": "rock"}
    assert rock["picks"] and all(p["values"]["genre"] == "rock" and 1980 <= p["values"]["year"] <= 1989 for p in rock["picks"])
    artist = rock["picks"][0]["artist"]
    by = recommender.recommend(f"calm songs by {artist}")
    assert by["filters"]["artist"] == artist and by["picks"] and all(p["artist"] == artist for p in by["picks"])


def test_movies_follow_genres_era_and_exist(recommender, gold):
    answer = recommender.recommend("a funny movie from the 90s")
    assert answer["domain"] == "movies" and answer["mood"]["anchors"][0]["name"] == "funny"
    assert len(answer["picks"]) == 3
    for pick in answer["picks"]:
        title, year = gold.execute("SELECT title, year FROM movies_catalog WHERE movie_id = ?", [int(pick["id"])]).fetchone()
        assert (title, year) == (pick["title"], pick["year"]) and 1990 <= year <= 1999
    funny = recommender.recommend("make me laugh with a movie")
    scores = [p["values"]["match_score"] for p in funny["picks"]]
    assert scores == sorted(scores, reverse=True) and scores[0] >= 2, "ranked by how well genres and keywords match"
    assert "Comedy" in funny["picks"][0]["reason"]


def test_not_understood_says_so_and_offers_popular_picks(recommender, gold):
    answer = recommender.recommend("xkcd blorp fnord")
    assert not answer["understood"] and "couldn't tell" in answer["text"]
    top = [
        r[0]
        for r in gold.execute("SELECT popularity FROM songs_catalog WHERE energy IS NOT NULL ORDER BY popularity DESC LIMIT 1").fetchall()
    ]
    assert answer["picks"][0]["values"]["popularity"] == top[0]


def test_a_movie_wish_not_understood_gets_the_most_popular_movies(recommender, gold):
    answer = recommender.recommend("recommend a movie")
    assert not answer["understood"] and answer["domain"] == "movies"
    top = [
        r[0]
        for r in gold.execute(
            "SELECT movie_id FROM movies_catalog WHERE vote_count >= 10 ORDER BY popularity DESC, movie_id LIMIT 3"
        ).fetchall()
    ]
    assert [int(p["id"]) for p in answer["picks"]] == top


def test_the_chart_context_narrows_the_picks(recommender):
    context = {"title": "Genre popularity", "rows": [{"genre": "latin", "track_count": 9}, {"genre": "edm", "track_count": 4}]}
    answer = recommender.recommend("of the genres in this chart, something upbeat", context=context)
    assert answer["filters"]["view"]["genres"] == ["latin", "edm"]
    assert {p["values"]["genre"] for p in answer["picks"]} <= {"latin", "edm"}
    assert "Genre popularity" in answer["text"]


def test_the_assistant_answers_caches_and_plans_with_plain_arguments(gold_lakehouse, matcher):
    warehouse = LocalWarehouse(gold_lakehouse, 0.0)
    assistant = Assistant(warehouse, matcher, ReferenceLists(warehouse), day_start="08:00", day_end="23:00")
    first, again = assistant.reply("Date  night"), assistant.reply("date night")
    assert (first.cache, again.cache) == ("miss", "hit") and again.answer is first.answer
    assert first.answer["kind"] == "recommendation" and first.answer["mode"] == "offline" and len(first.answer["picks"]) == 3
    day = assistant.plan_day("work 9-12, gym 13-14")
    assert [(s["start"], s["end"]) for s in day["slots"]] == [("08:00", "09:00"), ("12:00", "13:00"), ("14:00", "23:00")]
    assert assistant.answer("gym 7-8, work 9-17")["kind"] == "schedule"
    with pytest.raises(ScheduleError) as raised:
        assistant.plan_day("gym 7-8", "22:00", "08:00")
    assert raised.value.parameter == "day_end"
