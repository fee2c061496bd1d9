"""gettext for the web pages: French by default, English on request.

Catalogues are the ``.po`` files under ``api/locale/<lang>/LC_MESSAGES/messages.po``,
read with Babel at start-up (the ``.mo`` files next to them are for other tools).
The active language lives in a context variable set per request by
:class:`LocaleMiddleware` from the ``lang`` cookie.
"""

from contextvars import ContextVar
from datetime import datetime
from functools import cache
from http.cookies import SimpleCookie
from pathlib import Path

from babel.dates import format_datetime
from babel.messages.pofile import read_po
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

LOCALES = ("fr", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
LANG_COOKIE = "lang"
_current: ContextVar[str] = ContextVar("archive_locale", default="fr")


@cache
def catalogue(locale: str) -> dict[str, str]:
    """msgid -> msgstr of one language (empty translations left out)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string
    }


def activate(locale: str) -> None:
    _current.set(locale if locale in LOCALES else LOCALES[0])


def current() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return catalogue(_current.get()).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


_ = gettext


def N_(message: str) -> str:
    """Marks a message for extraction; translated later with ``_()``."""
    return message


def format_dt(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, "short", tzinfo=None, locale=_current.get())


def cookie_locale(scope: Scope, default: str) -> str:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header: keep the default
                return default
            morsel = jar.get(LANG_COOKIE)
            if morsel is not None and morsel.value in LOCALES:
                return morsel.value
    return default


class LocaleMiddleware(ASGIMiddleware):
    """Sets the request's language from the ``lang`` cookie (else the default)."""

    def __init__(self, default: str) -> None:
        self.default = default if default in LOCALES else LOCALES[0]

    async def handle(
        self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp
    ) -> None:
        activate(cookie_locale(scope, self.default))
        await next_app(scope, receive, send)
