"""Helpers shared by the page controllers: page rendering, safe redirects, errors."""

import re
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
)
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from archive_svc.access import rules
from archive_svc.api import vocabulary
from archive_svc.api.auth import caller_of
from archive_svc.api.errors import report_internal_error
from archive_svc.api.i18n import N_, _
from archive_svc.domain import errors

PAGE_MAX_BODY = 64 * 1024
"""Largest form body a page accepts (413 above)."""
_LOCAL_PATH = re.compile(r"^/[A-Za-z0-9/_\-.?=&%+]*$")


def safe_next(raw: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (other host, ``//``, ``..``) is ignored."""
    if not raw or not _LOCAL_PATH.match(raw) or raw.startswith("//") or ".." in raw:
        return default
    return raw


def page(
    request: Request[Any, Any, Any],
    template: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    caller = caller_of(request)
    roles = caller.roles if caller else frozenset()
    can = {action.value: rules.may(roles, action) for action in rules.Action}
    return Template(
        template_name=template,
        context={"caller": caller, "roles": roles, "can": can, **context},
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def _in_background(request: Request[Any, Any, Any]) -> bool:
    return bool(request.route_handler.opt.get("background"))


def _login_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET" or request.headers.get("hx-request"):
        # Back to the page the form was on (the browser keeps what was typed).
        target = "/"
        base = str(request.base_url).rstrip("/")
        for header in ("hx-current-url", "referer"):
            came_from = request.headers.get(header, "")
            if came_from.startswith(base + "/"):
                target = came_from[len(base) :]
                break
    location = "/login?next=" + quote(safe_next(target), safe="/")
    if request.headers.get("hx-request") and _in_background(request):
        # A completion asked for while typing: say nothing; the form's own submit
        # takes the person to sign in, with what they typed kept.
        return Response(b"", status_code=401)
    if request.headers.get("hx-request"):
        return Response(b"", status_code=401, headers={"HX-Redirect": location})
    return Redirect(location, status_code=303)


_MESSAGES = {
    400: N_("La demande est invalide."),
    403: N_("Vous n'avez pas accès à cette page."),
    404: N_("Page introuvable."),
    405: N_("Méthode non autorisée."),
    413: N_("Le formulaire envoyé est trop volumineux."),
    429: N_("Trop de tentatives. Réessayez dans quelques minutes."),
    500: N_("Une erreur est survenue."),
}


PASSWORD_REASONS = {
    "length": N_("Un mot de passe a de 12 à 256 caractères."),
    "same_as_id": N_("Le mot de passe ne peut pas être l'identifiant."),
    "repeated": N_("Le mot de passe ne peut pas être un seul caractère répété."),
    "common": N_("Ce mot de passe est trop courant ou trop facile à deviner."),
}


def error_message(exc: errors.DomainError) -> str:
    """A domain error as the person reads it: in their language when the pages know
    the rule (passwords), else the error's own message."""
    if isinstance(exc, errors.WeakPassword) and exc.reason in PASSWORD_REASONS:
        return _(PASSWORD_REASONS[exc.reason])
    return exc.message


def page_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Every error of a page, as a page (never a stack trace)."""
    if isinstance(exc, NotAuthorizedException):
        return _login_redirect(request)
    status, request_id = 500, ""
    if isinstance(exc, HTTPException):
        status = exc.status_code
    elif isinstance(exc, errors.NotFound):
        status = 404
    elif isinstance(exc, errors.AccessDenied):
        status = 403
    elif isinstance(exc, errors.DomainError):
        status = 400
    if status >= 500:
        request_id = report_internal_error(request, exc)
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        message = _("Le formulaire a expiré. Rechargez la page et recommencez.")
    elif isinstance(exc, errors.DomainError):
        message = vocabulary.refusal(exc.code, str(exc.details.get("value", "")))
    else:
        message = _(_MESSAGES.get(status, _MESSAGES[500]))
    return page(
        request,
        "error.html",
        status_code=status,
        status=status,
        message=message,
        request_id=request_id,
    )


PAGE_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    HTTPException: page_error,
    errors.DomainError: page_error,
    Exception: page_error,
}
