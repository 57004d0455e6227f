"""Python bytes reprs back to the text they stand for (SongCSV.csv written under Python 3: `b'Rapha\\xc3\\xabl'`).

The converter wrote str(bytes) for every string, so the text is the UTF-8 decoding of the bytes literal. A real parser of
Python literals decodes it (ast.literal_eval), every escape included; a value that looks like a bytes literal but does
not parse, or whose bytes are not UTF-8, is reported with the reason instead of being passed on mangled.
"""

import ast
import re

# One whole bytes literal as Python's repr writes it: b'...' or b"...", escapes inside, nothing after.
_BYTES_LITERAL = re.compile(r"b'(?:[^'\\]|\\.)*'" + r'|b"(?:[^"\\]|\\.)*"', re.DOTALL)


def looks_like_bytes_repr(value: str) -> bool:
    """Whether a value is meant as a bytes repr: b, a quote, and the same quote at the end."""
    return len(value) >= 3 and value[0] == "b" and value[1] in "'\"" and value[-1] == value[1]


def decode(value: str | None) -> tuple[str | None, str | None]:
    """(text, None) for a bytes repr that decodes, or for any other value (passed as is); (value, reason) when not."""
    if value is None or not looks_like_bytes_repr(value):
        return value, None
    if not _BYTES_LITERAL.fullmatch(value):
        return value, "not a single Python bytes literal"
    try:
        data = ast.literal_eval(value)
    except (SyntaxError, ValueError) as error:
        return value, f"not a valid Python bytes literal ({error.__class__.__name__}: {error})"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        return value, f"bytes are not UTF-8 ({error.reason} at byte {error.start}: {data[error.start : error.start + 1]!r})"


def decode_fields(names: list[str], values: list[str | None]) -> dict:
    """Each value decoded, and one reason naming every field that does not decode (None when all do)."""
    texts, reasons = [], []
    for name, value in zip(names, values, strict=True):
        text, reason = decode(value)
        texts.append(text)
        if reason:
            reasons.append(f"{name} {value[:80]}: {reason}")
    return {"values": texts, "error": "undecodable text: " + "; ".join(reasons) if reasons else None}
