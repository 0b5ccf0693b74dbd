"""Path and query parameters that no look-up can use are answered before any query: an id no
row can have is not found, and a control character is refused.

PostgreSQL's ids are 32-bit, and its text cannot hold NUL; the driver fails on either (a
server error) instead of finding nothing.
"""

import re

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.params import ParameterKwarg

from grants.core.errors import Problems
from grants.db import possible_id

_INTEGER = re.compile(r"[+-]?[0-9]+")


def check_parameters(request: Request) -> None:
    """NotFoundException when an integer path or query parameter is beyond any id; Refused
    when a path or query parameter holds a control character."""
    problems = Problems()
    for name, value in request.path_params.items():
        if isinstance(value, str):
            problems.plain(value, name)
        elif isinstance(value, int) and not isinstance(value, bool) and not possible_id(value):
            raise NotFoundException()
    for name, values in request.query_params.dict().items():
        for value in values:
            problems.plain(value, name)
    problems.raise_if_any()
    handler = request.scope.get("route_handler")
    parameters = handler.parsed_fn_signature.parameters if handler else {}
    for name, field in parameters.items():
        kind = field.kwarg_definition
        if not isinstance(kind, ParameterKwarg) or not _integer(field):
            continue
        for text in request.query_params.getall(kind.query or name, []):
            if _INTEGER.fullmatch(text.strip()) and not possible_id(int(text)):
                raise NotFoundException()


def _integer(field) -> bool:
    """An `int` or `int | None` parameter."""
    types = field.inner_types if field.is_optional else (field,)
    return any(t.annotation is int for t in types)
