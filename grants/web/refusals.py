"""One shape for every refusal of the API, `{"status_code", "detail", "errors": [{"field",
"message"}]}`, in the request's language, whether the domain refused the input or Litestar did
(a body that does not match its struct, malformed JSON, an unknown address or method, a body too
large). Litestar's own refusals are English and name problems msgspec's way; they are turned
into the app's words here, so API clients handle one shape and people read their language."""

import os
import re
import traceback
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from litestar import Litestar, Request
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.routes import HTTPRoute
from litestar.utils.scope.state import ScopeState
from msgspec import Struct, ValidationError, convert, inspect, structs

from grants.core.i18n import gettext
from grants.core.translatable import N_

REQUIRED = N_("This field is required.")
UNKNOWN_FIELD = N_("Unknown field: leave it out.")
NOT_NULL = N_("Send a value, not null.")
WHOLE_NUMBER = N_("Send a whole number, e.g. 12.")
TEXT = N_("Send text (a JSON string).")
TEXT_OR_LIST = N_("Send text or a list of texts.")
TRUE_OR_FALSE = N_("Send true or false.")
OBJECT = N_("Send a JSON object.")
LIST = N_("Send a list (a JSON array).")
INVALID_VALUE = N_("This value is not valid.")
INVALID_REQUEST = N_("The request is not valid.")
MALFORMED_JSON = N_("The request body is not valid JSON.")
MALFORMED_MULTIPART = N_("The request body is not valid multipart/form-data.")
NOT_FOUND = N_("Nothing here: check the address and the id.")
WRONG_METHOD = N_("This address does not take %(method)s requests.")
TOO_LARGE = N_("The request is too large.")
NO_ACCESS = N_("You do not have access to this.")

AS_STRING = "as_string"
"""The key in a field's `Meta(extra=…)` that holds the message for a JSON number sent where a
decimal string is expected (see `grants.controllers.api_schemas.Money`)."""

_EXPECTED = re.compile(r"Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING_PARAMETER = re.compile(r"Missing required \w+ parameter '(?P<name>[^']+)'")
_STEP = re.compile(r"\[[^\]]*\]|[^.\[\]]+")

_BY_EXPECTED = {
    frozenset({"int"}): WHOLE_NUMBER,
    frozenset({"str"}): TEXT,
    frozenset({"str", "array"}): TEXT_OR_LIST,
    frozenset({"bool"}): TRUE_OR_FALSE,
    frozenset({"object"}): OBJECT,
    frozenset({"array"}): LIST,
}

# Litestar's English details (the status phrase, or its own wording) and the app's words.
MULTIPART_PHRASE = "Invalid multipart/form-data"
_MULTIPART = (MULTIPART_PHRASE, "Unexpected eof in multipart/form-data")
_BY_STATUS = {400: INVALID_REQUEST, 403: NO_ACCESS, 404: NOT_FOUND, 413: TOO_LARGE}
_TOO_LARGE = "Request Entity Too Large"  # also a 400 from Litestar's multipart parser


class FieldProblem(Struct):
    field: str | None  # as named in the body or the query ("amount", "funding[0].rate"), or null
    message: str


class Refusal(Struct):
    """Every 4xx answer of the API: the problems one by one (a refusal about no field in
    particular lists its detail as the one problem), and together in `detail`."""

    status_code: int
    detail: str
    errors: list[FieldProblem]


def refusal(status_code: int, detail: str, errors: list[FieldProblem] | None = None) -> Refusal:
    return Refusal(status_code, detail, errors or [FieldProblem(None, detail)])


def framework_refusal(request: Request, exc: HTTPException) -> Refusal:
    """A refusal raised as an HTTPException: Litestar's own in the request's language; the app's
    (already translated where it was raised) as they are."""
    detail, status = exc.detail, exc.status_code
    if detail == _TOO_LARGE:
        return refusal(413, gettext(TOO_LARGE))
    if isinstance(exc.__cause__, SerializationException):
        return refusal(status, gettext(MALFORMED_JSON))
    if detail.startswith(_MULTIPART) or detail.startswith("multipart boundary missing"):
        return refusal(status, gettext(MALFORMED_MULTIPART))
    if status == 405:
        return refusal(status, gettext(WRONG_METHOD, method=request.method))
    if detail == _phrase(status) or detail.startswith("Invalid content-length"):
        return refusal(status, gettext(_BY_STATUS.get(status, INVALID_REQUEST)))
    return refusal(status, detail)


def validation_refusal(request: Request, exc: ValidationException) -> Refusal:
    """Each problem Litestar found in the parameters and the body, with its field."""
    items = exc.extra if isinstance(exc.extra, list) else []
    if not items:
        missing = _MISSING_PARAMETER.search(exc.detail)
        if missing:
            problems = [FieldProblem(missing["name"], gettext(REQUIRED))]
        else:
            problems = [FieldProblem(None, gettext(INVALID_REQUEST))]
    else:
        body = _body_type(request)
        if every := _every_body_problem(request, body):
            items = [item for item in items if item.get("source") != "body"] + every
        problems = [_problem(item, body, exc.__cause__) for item in items]
    detail = " ".join(f"{p.field}: {p.message}" if p.field else p.message for p in problems)
    return Refusal(400, detail, problems)


def refusal_responses(methods: Iterable[str]) -> dict[int, ResponseSpec]:
    """What an API operation may refuse with, for the OpenAPI document: bodies can be refused
    as conflicts or as too large only where there is a body."""
    described = {
        400: "Refused input: every problem with its field.",
        401: "No valid API token.",
        403: "The token's user may not do this here.",
        404: "No such address or record.",
    }
    if set(methods) & {"POST", "PUT", "PATCH"}:
        described |= {409: "A duplicate, or a locked period.", 413: "The body is too large."}
    return {
        status: ResponseSpec(data_container=Refusal, description=text, generate_examples=False)
        for status, text in described.items()
    }


def declare_refusals(app: Litestar) -> None:
    """Litestar takes `responses=` per handler only: declaring them here gives every API
    operation, present and future, the refusal shape in the OpenAPI document."""
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/"):
            for handler in route.route_handlers:
                declared = refusal_responses(handler.http_methods)
                handler.responses = declared | dict(handler.responses or {})


def raised_by_litestar(exc: BaseException) -> bool:
    """Whether the error was raised inside Litestar itself, not in the app's code."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and f"{os.sep}litestar{os.sep}" in frames[-1].filename


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _problem(item: dict[str, Any], body: Any, cause: BaseException | None) -> FieldProblem:
    """One of Litestar's validation messages (msgspec's wording) as a field and a message."""
    message, key = item.get("message", ""), item.get("key", "")
    path = key
    if item.get("source") == "body":
        path = "" if key == "data" else key
        at = _AT.search(str(cause or ""))
        if key == "data" and at and at["path"].startswith(".data["):
            path = at["path"].removeprefix(".data")  # a list body: "[0].year"
    if named := _UNKNOWN.match(message):
        return FieldProblem(_shown(_joined(path, named["name"])), gettext(UNKNOWN_FIELD))
    if named := _MISSING.match(message):
        return FieldProblem(_shown(_joined(path, named["name"])), gettext(REQUIRED))
    expected = _EXPECTED.match(message)
    if not expected:
        return FieldProblem(_shown(path), gettext(INVALID_VALUE))
    wanted = frozenset(expected["expected"].split(" | ")) - {"null"}
    got = expected["got"]
    if got == "null":
        text = NOT_NULL
    elif got in ("int", "float") and "str" in wanted and (hint := _as_string(body, path)):
        text = hint
    else:
        text = _BY_EXPECTED.get(wanted, INVALID_VALUE)
    return FieldProblem(_shown(path), gettext(text))


def _joined(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _shown(path: str) -> str | None:
    """The field as a client names it: a value inside a free-form mapping (msgspec writes its
    keys as `[...]`) is reported on the mapping."""
    return path.split("[...]")[0] or None


def _body_type(request: Request) -> Any:
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    return inspect.type_info(data.annotation) if data is not None else None


def _every_body_problem(request: Request, body: Any) -> list[dict[str, str]]:
    """msgspec stops at a body's first problem; checking each field of an object body on its
    own finds them all (the first of each field), as Litestar's items: message and key.
    Nothing when the body is not a JSON object for a struct (Litestar's items say why then)."""
    raw = ScopeState.from_scope(request.scope).json  # as Litestar decoded it for this request
    if not isinstance(body, inspect.StructType) or not isinstance(raw, dict):
        return []
    unknown = [name for name in raw if name not in {f.encode_name for f in body.fields}]
    found = [(f"Object contains unknown field `{name}`", "data") for name in unknown]
    for field in structs.fields(body.cls):
        name = field.encode_name
        if name not in raw:
            if field.required:
                found.append((f"Object missing required field `{name}`", "data"))
            continue
        try:
            convert(raw[name], type=field.type, strict=False)
        except ValidationError as error:
            message, _, at = str(error).partition(" - at `$")
            found.append((message, name + at.rstrip("`")))
    return [{"message": message, "key": key, "source": "body"} for message, key in found]


def _as_string(body: Any, path: str) -> str | None:
    """The message a decimal-string field gives for a JSON number, found by following `path`
    ("funding[0].rate", "breakdown[...][...]") through the body's type."""
    info = body
    for step in _STEP.findall(path):
        info = _inner(info, step)
        if info is None:
            return None
    return _hint(info)


def _inner(info: Any, step: str) -> Any:
    for member in _members(info):
        if isinstance(member, inspect.StructType) and not step.startswith("["):
            return next((f.type for f in member.fields if f.encode_name == step), None)
        if isinstance(member, inspect.ListType) and step[1:-1].isdigit():
            return member.item_type
        if isinstance(member, inspect.DictType) and step == "[...]":
            return member.value_type
    return None


def _members(info: Any) -> list[Any]:
    """The types a value may have: a union's members, each without its metadata."""
    if isinstance(info, inspect.Metadata):
        return _members(info.type)
    if isinstance(info, inspect.UnionType):
        return [member for option in info.types for member in _members(option)]
    return [info]


def _hint(info: Any) -> str | None:
    if isinstance(info, inspect.Metadata):
        return (info.extra or {}).get(AS_STRING) or _hint(info.type)
    if isinstance(info, inspect.UnionType):
        return next((hint for option in info.types if (hint := _hint(option))), None)
    return None
