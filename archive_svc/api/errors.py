"""Map errors to HTTP responses, in one place: ``{"code", "message", "details"}``."""

import logging
import secrets
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from archive_svc.api.inputs import escape_controls
from archive_svc.domain import errors

log = logging.getLogger(__name__)


class ErrorBody(msgspec.Struct):
    """Every error answer of the JSON API."""

    code: str
    message: str
    details: dict[str, Any] = {}


STATUS_BY_ERROR: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.BatchTooLarge, 413),
    (errors.InvalidInput, 400),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.MovementRefused, 409),
    (errors.AccessDenied, 403),
)


def _json(
    status: int, code: str, message: str, details: Mapping[str, object] | None = None
) -> Response[ErrorBody]:
    return Response(
        ErrorBody(code, message, dict(details or {})),
        status_code=status,
        media_type=MediaType.JSON,
    )


def domain_error_handler(
    _: Request[Any, Any, Any], exc: errors.DomainError
) -> Response[ErrorBody]:
    status = next((s for cls, s in STATUS_BY_ERROR if isinstance(exc, cls)), 400)
    details = {
        k: v for k, v in exc.details.items() if isinstance(v, str | int | float | bool)
    }
    return _json(status, exc.code, exc.message, details)


_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def http_error_handler(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[ErrorBody]:
    status = exc.status_code
    if status >= 500:
        return internal_error_handler(request, exc)
    if status == 400 and "JSON is malformed" in str(exc.detail):
        return _json(400, "malformed_json", str(exc.detail))
    if isinstance(exc, ValidationException):
        return _json(400, "invalid_request", str(exc.detail), {"errors": _extra(exc)})
    if isinstance(exc, NotAuthorizedException):
        return _json(401, "unauthenticated", str(exc.detail))
    if isinstance(exc, PermissionDeniedException):
        return _json(403, "forbidden", str(exc.detail))
    if isinstance(exc, NotFoundException):
        return _json(404, "not_found", str(exc.detail))
    code = _HTTP_CODES.get(status, "http_error" if status < 500 else "server_error")
    return _json(status, code, str(exc.detail))


def _extra(exc: ValidationException) -> list[object]:
    extra = exc.extra
    if isinstance(extra, list):
        return [e for e in extra if isinstance(e, dict | str)]
    return []


def report_internal_error(request: Request[Any, Any, Any], exc: Exception) -> str:
    """Log ``exc`` with its traceback under a new request id, and return the id
    (the only thing the person is shown, so support can find the log line)."""
    request_id = secrets.token_hex(6)
    path = escape_controls(str(request.scope.get("path", "")))
    log.error(
        "internal error, request id %s: %s %s",
        request_id,
        request.scope.get("method", ""),
        path,
        exc_info=exc,
    )
    return request_id


def internal_error_handler(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[ErrorBody]:
    request_id = report_internal_error(request, exc)
    return _json(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "server_error",
        f"internal error; it has been logged under request id {request_id}",
        {"request_id": request_id},
    )


EXCEPTION_HANDLERS = {
    errors.DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}


_DESCRIPTIONS = {
    400: "Invalid request: malformed JSON, a field out of range, a bad barcode",
    401: "Missing, unknown or revoked bearer token",
    403: "The token's role may not use this operation",
    404: "Unknown barcode, location or target",
    409: "Conflicts with what is registered (duplicate, refused movement)",
    413: "Request body or batch too large",
    415: "The body is not application/json",
}


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the error answers of a JSON route (all use ``ErrorBody``)."""
    return {
        status: ResponseSpec(
            data_container=ErrorBody,
            description=_DESCRIPTIONS[status],
            media_type=MediaType.JSON,
        )
        for status in statuses
    }
