"""Query strings of the JSON API, validated strictly: unknown or repeated names and bad
values are errors with a message that says what is allowed (HTTP 400 ``invalid_query``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)

from tocsin.contract.events import Outcome
from tocsin.contract.problems import field_problems

MAX_LIMIT = 1000


def _country(value: object) -> str:
    if isinstance(value, str) and len(value) == 2 and value.isascii() and value.isalpha():
        return value.upper()
    raise ValueError("must be a two-letter ISO 3166-1 alpha-2 code such as KZ (ZZ: unknown)")


Country = Annotated[
    str,
    BeforeValidator(_country),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[A-Za-z]{2}$",
            "description": "ISO 3166-1 alpha-2 code, either case (ZZ: unknown country)",
        }
    ),
]


class QueryModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TotalsQuery(QueryModel):
    """Filters of ``GET /v1/totals``."""

    country: Country | None = None
    outcome: Outcome | None = None


class DeploymentsQuery(QueryModel):
    """Filters of ``GET /v1/deployments``."""

    country: Country | None = None


class CurfewsQuery(QueryModel):
    """Filters of ``GET /v1/curfews``."""

    country: Country | None = None
    active: Literal["true", "false"] | None = None


class StatementsQuery(QueryModel):
    """Filters of ``GET /v1/statements``."""

    country: Country | None = None
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)


class QueryError(ValueError):
    """A query string that does not fit; ``problems`` holds (parameter, message) pairs."""

    def __init__(self, message: str, problems: list[tuple[str | None, str]]) -> None:
        super().__init__(message)
        self.problems = problems


Q = TypeVar("Q", bound=QueryModel)


def parse_query(model: type[Q], items: Sequence[tuple[str, str]]) -> Q:
    """Validate the (name, value) pairs of a query string against ``model``."""
    allowed = list(model.model_fields)
    names = [name for name, _ in items]
    unknown = sorted({n for n in names if n not in allowed})
    if unknown:
        accepted = ", ".join(allowed) or "none"
        raise QueryError(
            f"unknown query parameter(s): {', '.join(unknown)}; accepted: {accepted}",
            [(n, "unknown parameter") for n in unknown],
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise QueryError(
            f"query parameter(s) given more than once: {', '.join(repeated)}",
            [(n, "given more than once") for n in repeated],
        )
    try:
        return model.model_validate(dict(items))
    except ValidationError as exc:
        problems = field_problems(exc)
        summary = "; ".join(f"{f}: {m}" if f else m for f, m in problems)
        raise QueryError(f"invalid query: {summary}", problems) from exc


def openapi_parameters(model: type[QueryModel]) -> list[dict[str, Any]]:
    """The query parameters ``model`` accepts, as OpenAPI parameter objects.

    The routes read their query strings themselves (to refuse unknown and repeated
    names), so FastAPI cannot document them; this derives the document from the
    same model that validates them.
    """
    schema = model.model_json_schema()
    parameters = []
    for name, prop in schema["properties"].items():
        # An absent parameter is the None of an optional field; a query string has no null.
        forms = [form for form in prop.get("anyOf", [prop]) if form.get("type") != "null"]
        (value,) = forms
        value = {k: v for k, v in value.items() if k != "title"}
        if "default" in prop and prop["default"] is not None:
            value["default"] = prop["default"]
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in schema.get("required", []),
            "schema": value,
        }
        if "description" in value:
            parameter["description"] = value.pop("description")
        parameters.append(parameter)
    return parameters
