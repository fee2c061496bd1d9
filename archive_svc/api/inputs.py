"""What text the edge accepts: no control characters, bounded numbers and nesting.

PostgreSQL refuses NUL in text and JSON, and the other C0 control characters have
no business in a name, a code or a reason: they hide text from whoever reads the
record or the journal later. So every text that comes in is checked here, before
any handler or query runs, and a bad one is a 400:

- path and query string: :func:`refuse_control_characters` (run by the route guard
  for every route, public ones and static files included);
- form and JSON fields: the :func:`line` and :func:`text` constraints of the
  msgspec Structs (a test pins that every input field has one);
- JSON bodies: :func:`refuse_unreadable_json` (``before_request`` of the JSON
  controllers): ``application/json`` only (else 415), nesting bounded before the
  decoder recurses into it;
- free JSON (a movement's ``payload``): :func:`check_json`, depth and strings.
"""

import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import unquote

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import QueryParameter
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
"""One line: no C0 control character, no DEL."""
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Free text: tab and line breaks allowed, no other control character."""
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_JSON_DEPTH = 16
"""Deepest nesting of objects and arrays in free JSON (a movement's payload)."""
MAX_BODY_DEPTH = MAX_JSON_DEPTH + 8
"""Deepest nesting of a JSON body: a payload's bound plus the batch envelope."""
_JSON_STRING = re.compile(rb'"[^"]*"')
_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKET = bytes(set(range(256)) - set(b"[]{}"))
MAX_PAGE = 100_000
"""Highest page number of a paged list (pages of 100 rows)."""


def line(max_length: int, min_length: int = 0) -> msgspec.Meta:
    """Constraint of a one-line form or JSON field."""
    return msgspec.Meta(
        min_length=min_length, max_length=max_length, pattern=LINE_PATTERN
    )


def text(max_length: int) -> msgspec.Meta:
    """Constraint of a free-text field (a reason, pasted codes): line breaks allowed."""
    return msgspec.Meta(max_length=max_length, pattern=TEXT_PATTERN)


PageNo = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)]
"""A page number in a query string: 1 to :data:`MAX_PAGE`."""


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    pattern = _CONTROL_IN_TEXT if multiline else _CONTROL_IN_LINE
    return pattern.search(value) is not None


def escape_controls(value: str) -> str:
    """``value`` with each control character written ``\\xNN`` (safe to store and show)."""
    return _CONTROL_IN_LINE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def refuse_control_characters(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """``ValidationException`` (400) when the path or the query string, decoded,
    holds a control character."""
    path = connection.scope["path"]
    query = unquote(connection.scope.get("query_string", b"").decode("latin-1"))
    if has_control_characters(path) or has_control_characters(query):
        raise ValidationException("control characters are not accepted in the URL")


def check_json(value: object, depth: int = 0) -> None:
    """``ValueError`` when free JSON nests deeper than :data:`MAX_JSON_DEPTH` or holds
    a control character in a key or a string (msgspec turns it into a 400)."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, str):
        if has_control_characters(value, multiline=True):
            raise ValueError("control characters are not accepted")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_json(str(key), depth)
            check_json(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            check_json(item, depth + 1)


async def refuse_unreadable_json(request: Request[Any, Any, Any]) -> None:
    """A JSON route's body is ``application/json`` (else 415) and nests at most
    :data:`MAX_BODY_DEPTH` levels (else 400, before the decoder recurses into it)."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    media_type = request.headers.get("content-type", "").partition(";")[0]
    if media_type.strip().lower() != "application/json":
        raise HTTPException(
            status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="the body must be application/json",
        )
    if _nests_deeper(await request.body(), MAX_BODY_DEPTH):
        raise ValidationException(f"JSON nested deeper than {MAX_BODY_DEPTH} levels")


def _nests_deeper(body: bytes, limit: int) -> bool:
    """Whether objects and arrays nest (or open without closing) deeper than
    ``limit`` in a JSON text. Byte operations in linear time only: strings out
    (escapes first), then the innermost bracket pairs removed ``limit`` times;
    a shallow imbalance is left to the decoder (malformed JSON)."""
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = _JSON_STRING.sub(b"", unescaped).translate(_SQUARE, _NOT_BRACKET)
    if b"[" * (limit + 1) in brackets:
        return True  # that many openers in a row
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"[]", b"")
    return b"[]" in brackets or len(brackets) > limit
