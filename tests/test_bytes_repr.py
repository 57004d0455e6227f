"""Python 3 bytes reprs decoded to their text, and the MSD converter's broken quoting repaired at parse time."""

import pyarrow as pa
import pytest

from jobs import raw_parse
from jobs.silver.bytes_repr import decode, decode_fields
from jobs.sources import detect_format


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("b'Martha Served'", "Martha Served"),
        (r"b'Rapha\xc3\xabl'", "Raphaël"),  # UTF-8 as escapes
        ('b"Don\'t Worry Lady"', "Don't Worry Lady"),  # an apostrophe: Python reprs it in double quotes
        (r"""b'Say "Don\'t"'""", 'Say "Don\'t"'),  # both quotes: single quotes, the apostrophe escaped
        (r"b'AC\\DC'", "AC\\DC"),
        (r"b'\xe6\x9d\xb1\xe4\xba\xac'", "東京"),
        ('b""', ""),
        ("b''", ""),
        ("Martha Served", "Martha Served"),  # not a bytes repr: as is
        (r"Rapha\xc3\xabl", r"Rapha\xc3\xabl"),
        ("b'", "b'"),
        ("bob's", "bob's"),
        (None, None),
    ],
)
def test_a_bytes_repr_decodes_to_its_text_and_anything_else_passes_as_is(value, text):
    assert decode(value) == (text, None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (r"b'\xff'", "bytes are not UTF-8 (invalid start byte at byte 0: b'\\xff')"),
        (r"b'D\xfcsseldorf'", "bytes are not UTF-8 (invalid start byte at byte 1: b'\\xfc')"),
        ("b'a' b'b'", "not a single Python bytes literal"),
        ("b'Raphaël'", "not a valid Python bytes literal"),  # bytes literals hold ASCII only
    ],
)
def test_a_bytes_repr_that_does_not_decode_is_kept_with_the_reason(value, reason):
    kept, why = decode(value)
    assert kept == value and why.startswith(reason)


def test_fields_decode_together_and_the_reason_names_each_bad_one():
    decoded = decode_fields(["Title", "ArtistName"], [r"b'\xff'", r"b'Sigur R\xc3\xb3s'"])
    assert decoded["values"] == [r"b'\xff'", "Sigur Rós"]
    assert decoded["error"] == r"undecodable text: Title b'\xff': bytes are not UTF-8 (invalid start byte at byte 0: b'\xff')"
    assert decode_fields(["Title"], ["b'ok'"]) == {"values": ["ok"], "error": None}


HEADER = "SongNumber,SongID,AlbumName,ArtistName,Duration,Tempo,TimeSignature,Title,Year\n"


def records(text: str) -> list[dict]:
    """What the exact (csv module) parser and the engine's entry point make of a SongCSV text."""
    data = text.encode()
    fmt = detect_format(raw_parse.header_of(data))
    exact = pa.concat_tables(list(raw_parse._read_with_csv_module(data, fmt, 1000))).to_pylist()
    assert pa.concat_tables(list(raw_parse.parse_records(data, fmt))).to_pylist() == exact
    return exact


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ('1,"b\'SO1\'","b\'A\'","b\'X\'",1.0,2.0,4,"b"Don\'t Worry Lady"",0\n', 'b"Don\'t Worry Lady"'),
        ('1,"b\'SO1\'","b\'A\'","b\'X\'",1.0,2.0,4,"b\'Beauty Queen (12" Mix)\'",0\n', "b'Beauty Queen (12\" Mix)'"),
        ('1,"b\'SO1\'","b\'A\'","b\'X\'",1.0,2.0,4,"b\'Say "Don\\\'t"\'",0\r\n', "b'Say \"Don\\'t\"'"),
        ('1,"SO1","A","X",1.0,2.0,4,"Dirty Movies" (Album Version)",1981\n', 'Dirty Movies" (Album Version)'),  # Python 2 too
        ('1,"SO1","A","X",1.0,2.0,4,"Return Of The "G",1998\n', 'Return Of The "G'),
        ('1,"SO1","A","X",1.0,2.0,4,"Proper ""CSV"" stays",0\n', 'Proper "CSV" stays'),
    ],
)
def test_the_converters_unescaped_quotes_are_repaired_when_parsed(line, title):
    (record,) = records(HEADER + line)
    assert record["Title"] == title and record["_malformed"] is None
    assert record["ArtistName"] in ("b'X'", "X") and record["Year"] in ("0", "1981", "1998")


def test_only_songcsv_is_repaired_and_a_line_the_layout_does_not_explain_is_left_to_the_parser():
    ratings = b'userId,movieId,rating,timestamp\n1,"2"x",3.0,4\n'
    fmt = detect_format(raw_parse.header_of(ratings))
    assert raw_parse.repair_quoting(ratings, fmt) == ratings
    wrong_width = HEADER + '1,"SO1","A","X",1.0,2.0,4,"a "b" c",0,extra\n'
    (record,) = records(wrong_width)
    assert record["_malformed"] == "expected 9 fields, found 10"
