"""Query-string parameters: declared once per endpoint (types, ranges, defaults), parsed strictly, documented in OpenAPI."""

from dataclasses import dataclass, field

MIN_YEAR, MAX_YEAR = 1870, 2030
MAX_LIMIT = 100


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

    def parse(self, raw: list[str]):
        """The typed value from the query string values, or the default."""
        if not raw or raw == [""]:
            return self.default
        if self.kind == "list":
            return [value.strip() for value in raw if value.strip()]  # names such as "Earth, Wind & Fire" have commas
        value = self.convert(raw[-1])
        self.check_range(value)
        return value

    def convert(self, text: str):
        """Text to the declared type."""
        try:
            value = {"int": int, "number": float, "string": str}[self.kind](text)
        except ValueError:
            raise BadRequest(self.name, f"{self.name} must be {'an integer' if self.kind == 'int' else 'a number'}, got {text!r}") from None
        if self.kind == "number" and value != value:
            raise BadRequest(self.name, f"{self.name} must be a number, got NaN")
        if self.choices and value not in self.choices:
            raise BadRequest(self.name, f"{self.name} must be one of {', '.join(map(str, self.choices))}, got {text!r}")
        return value

    def check_range(self, value) -> None:
        """Within [minimum, maximum]."""
        if self.minimum is not None and value < self.minimum or self.maximum is not None and value > self.maximum:
            raise BadRequest(self.name, f"{self.name} must be between {self.minimum:g} and {self.maximum:g}, got {value}")


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
