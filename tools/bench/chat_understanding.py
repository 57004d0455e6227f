"""make bench-chat-understanding: how well the offline chat understands the labelled messages of
tests/chat_understanding.json, as printed figures (accuracy, false-understood rate, per group, the misses).

A case is correct when every label it carries holds: the outcome (a mood whose top anchor is one of the acceptable
anchors, an on-topic request without a mood, or an off-topic refusal), the domain, the genre or artist filter, and for
what the tables lack (a genre, an artist, an era) that it is reported missing with an alternative that exists (for a
genre none of the tables' is close to, the songs nearest its sound).
The false-understood rate is the share of the off-topic cases answered as a mood.
"""

import argparse
import json
import os
import statistics
import time
from collections import Counter, defaultdict

SET = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "chat_understanding.json")


def load_set(path: str = SET) -> dict:
    """The labelled set: {catalogue, cases}."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def accepted(case: dict) -> list[str]:
    """The acceptable outcomes of a case."""
    return case["expect"] if isinstance(case["expect"], list) else [case["expect"]]


def check(case: dict, got: dict, catalogue: dict) -> str | None:
    """None when the understanding matches every label of the case, else what is wrong."""
    if got["outcome"] not in accepted(case):
        return f"outcome {got['outcome']} ({got.get('anchor')}), expected {case['expect']}"
    if got["outcome"] == "mood" and case.get("anchors") and got["anchor"] not in case["anchors"]:
        return f"anchor {got['anchor']}, expected one of {case['anchors']}"
    if case.get("domain") and got["domain"] != case["domain"]:
        return f"domain {got['domain']}, expected {case['domain']}"
    if "genre" in case and got.get("genre") != case["genre"]:
        return f"genre {got.get('genre')}, expected {case['genre']}"
    if "artist" in case and got.get("artist") != case["artist"]:
        return f"artist {got.get('artist')}, expected {case['artist']}"
    if "missing_genre" in case:
        genres = set(catalogue["song_genres"]) | set(catalogue["movie_genres"])
        if case["missing_genre"].lower() not in {(got.get("missing_genre") or "").lower(), (got.get("genre_said") or "").lower()}:
            return f"missing genre {got.get('missing_genre')}, expected {case['missing_genre']}"
        if got.get("genre_alternative") not in genres and not got.get("sound_alternative"):
            return f"alternative genre {got.get('genre_alternative')} is not in the tables, and no sound is offered instead"
        if case.get("genre_alternatives") and got["genre_alternative"] not in case["genre_alternatives"]:
            return f"alternative genre {got['genre_alternative']}, expected one of {case['genre_alternatives']}"
    if "missing_artist" in case:
        if (got.get("missing_artist") or "").lower() != case["missing_artist"].lower():
            return f"missing artist {got.get('missing_artist')}, expected {case['missing_artist']}"
        offered = got.get("artist_alternatives") or []
        if set(offered) - set(catalogue["artists"]):
            return f"alternative artists {offered} are not all in the tables"
        if case.get("artist_alternatives") and not set(offered) & set(case["artist_alternatives"]):
            return f"alternative artists {offered}, expected one of {case['artist_alternatives']}"
    if case.get("missing_era") and not got.get("missing_era"):
        return "the era is not reported missing"
    if got.get("missing_genre") and "missing_genre" not in case:
        return f"genre {got['missing_genre']} reported missing"
    if got.get("missing_artist") and "missing_artist" not in case:
        return f"artist {got['missing_artist']} reported missing"
    return None


def evaluate(predict, document: dict) -> dict:
    """Accuracy, false-understood rate, per-group accuracy, the misses and the understanding time per message."""
    cases, catalogue = document["cases"], document["catalogue"]
    misses, by_group, times, held_out = [], defaultdict(Counter), [], Counter()
    off_topic = mood_answered = refused = unrefused = 0
    for case in cases:
        started = time.perf_counter()
        got = predict(case["message"])
        times.append((time.perf_counter() - started) * 1000)
        why = check(case, got, catalogue)
        by_group[case["group"]]["cases"] += 1
        by_group[case["group"]]["correct"] += why is None
        if case.get("held_out"):
            held_out["cases"] += 1
            held_out["correct"] += why is None
        if why:
            misses.append((case["group"], case["message"], why))
        if case["expect"] == "off_topic":
            off_topic += 1
            mood_answered += got["outcome"] == "mood"
            refused += got["outcome"] == "off_topic"
            unrefused += got["outcome"] == "no_mood"
    correct = len(cases) - len(misses)
    return {
        "cases": len(cases),
        "correct": correct,
        "accuracy": correct / len(cases),
        # an off-topic message answered with popular picks (not refused, but not taken for a mood) counted as correct
        "lenient_accuracy": (correct + unrefused) / len(cases),
        "off_topic_cases": off_topic,
        "false_understood": mood_answered,
        "false_understood_rate": mood_answered / off_topic if off_topic else 0.0,
        "off_topic_refused": refused,
        "groups": {g: (c["correct"], c["cases"]) for g, c in sorted(by_group.items())},
        "held_out": (held_out["correct"], held_out["cases"]),
        "misses": misses,
        "p50_ms": statistics.median(times),
    }


def offline_predictor(catalogue: dict):
    """The service's own understanding over the catalogue the labels assume."""
    from service.chat.mood import default_matcher
    from service.chat.understanding import Catalogue, understand

    matcher = default_matcher()
    tables = Catalogue.from_lists(catalogue, matcher.encoder)
    return lambda message: understand(message, "auto", tables, matcher).summary()


def report(figures: dict, show_misses: bool) -> None:
    """Print the figures."""
    print(
        f"{figures['cases']} labelled messages: {figures['correct']} correct, accuracy {figures['accuracy']:.1%} "
        f"({figures['lenient_accuracy']:.1%} counting off-topic answered with popular picks as correct); "
        f"off-topic answered as a mood {figures['false_understood']}/{figures['off_topic_cases']} "
        f"({figures['false_understood_rate']:.1%}), refused as off-topic {figures['off_topic_refused']}/{figures['off_topic_cases']}; "
        f"understanding p50 {figures['p50_ms']:.1f} ms per message"
    )
    for group, (correct, total) in figures["groups"].items():
        print(f"  {group:<15} {correct:>3}/{total:<3} {correct / total:.0%}")
    correct, total = figures["held_out"]
    if total:
        print(f"  held out: {correct}/{total} correct ({correct / total:.0%}), messages written after the training phrases were frozen")
    if show_misses:
        for group, message, why in figures["misses"]:
            print(f"  miss [{group}] {message!r}: {why}")


def main() -> None:
    """Evaluate the offline understanding on the labelled set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", default=SET)
    parser.add_argument("--misses", action="store_true", help="list every message not understood as labelled")
    args = parser.parse_args()
    document = load_set(args.set)
    report(evaluate(offline_predictor(document["catalogue"]), document), args.misses)


if __name__ == "__main__":
    main()
