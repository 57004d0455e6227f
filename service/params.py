"""Query-string parameters: declared once per endpoint (types, ranges, defaults), parsed strictly, documented in OpenAPI."""

import math
from dataclasses import dataclass, field

from medialake.settings import INTEGER, NUMBER  # the same strict ASCII forms as the settings: int() also takes "2_000", "+5", "٥"

MIN_YEAR, MAX_YEAR = 1870, 2030
MAX_LIMIT = 100
MAX_DIGITS = 20


class BadRequest(ValueError):
    """A request parameter that is wrong: answered with HTTP 400 naming the parameter."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Param:
    """One parameter of an endpoint."""

    name: str
    kind: str = "int"  # int, number, string or list (the parameter repeated, one value each: a comma is part of a value)
    default: object = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = field(default=())
    help: str = ""
    max_length: int | None = None  # kind "string": the longest value accepted, in characters

    def parse(self, raw: list[str]):
        """The typed value from the query string values, or the default."""
        if len(raw) > 1 and self.kind != "list":
            raise BadRequest(self.name, f"{self.name} is given {len(raw)} times; only a list parameter may repeat")
        if not raw or raw == [""]:
            return self.default
        if self.kind == "list":
            return [value.strip() for value in raw if value.strip()]  # names such as "Earth, Wind & Fire" have commas
        value = self.convert(raw[0])
        self.check_range(value)
        return value

    def convert(self, text: str):
        """Text to the declared type."""
        value = {"int": self.integer, "number": self.number, "string": self.string}[self.kind](text)
        if self.choices and value not in self.choices:
            raise BadRequest(self.name, f"{self.name} must be one of {', '.join(map(str, self.choices))}, got {text!r}")
        return value

    def integer(self, text: str) -> int:
        """ASCII digits, optionally after a minus sign."""
        if not INTEGER.fullmatch(text):
            raise BadRequest(self.name, f"{self.name} must be an integer (ASCII digits, optionally after -), got {text!r}")
        if len(text) > MAX_DIGITS:  # int() refuses more than 4300 digits (a ValueError), and no range needs 20
            raise BadRequest(self.name, f"{self.name} has {len(text)} digits; at most {MAX_DIGITS} are accepted")
        return int(text)

    def number(self, text: str) -> float:
        """A plain decimal, optionally with an exponent: no inf, nan, underscores or non-ASCII digits."""
        value = float(text) if NUMBER.fullmatch(text) else math.nan
        if not math.isfinite(value):
            raise BadRequest(self.name, f"{self.name} must be a finite decimal number such as 12.5 or 1e3, got {text!r}")
        return value

    def string(self, text: str) -> str:
        """The text itself, at most max_length characters."""
        if self.max_length is not None and len(text) > self.max_length:
            raise BadRequest(self.name, f"{self.name} is {len(text)} characters; the limit is {self.max_length}")
        return text

    def check_range(self, value) -> None:
        """Within [minimum, maximum] (a parameter without bounds, such as a string, is not compared)."""
        if self.minimum is None and self.maximum is None:
            return
        low = -math.inf if self.minimum is None else self.minimum
        high = math.inf if self.maximum is None else self.maximum
        if not low <= value <= high:
            raise BadRequest(self.name, f"{self.name} must be between {low:g} and {high:g}, got {value}")


def parse_all(params: tuple[Param, ...], args) -> dict:
    """Every declared parameter from a MultiDict; an undeclared one is refused."""
    unknown = sorted(set(args) - {p.name for p in params})
    if unknown:
        raise BadRequest(unknown[0], f"unknown parameter {unknown[0]!r}; this endpoint takes {', '.join(p.name for p in params) or 'none'}")
    return {p.name: p.parse(args.getlist(p.name)) for p in params}


def ordered(values: dict, low: str, high: str) -> None:
    """A range whose end is not before its start."""
    if values[low] is not None and values[high] is not None and values[low] > values[high]:
        raise BadRequest(high, f"{high} ({values[high]}) must not be below {low} ({values[low]})")


def year(name: str, default: int | None, help: str = "") -> Param:
    """A year parameter."""
    return Param(name, "int", default, MIN_YEAR, MAX_YEAR, help=help)


def limit(default: int = 10) -> Param:
    """A row limit."""
    return Param("limit", "int", default, 1, MAX_LIMIT, help=f"rows to return (1-{MAX_LIMIT})")
