"""gettext for the web pages: French by default, English on request.

Catalogues are the ``.po`` files under ``api/locale/<lang>/LC_MESSAGES/messages.po``,
read with Babel at start-up (the ``.mo`` files next to them are for other tools).
The active language lives in a context variable set per request by
:class:`LocaleMiddleware` from the ``lang`` cookie.
"""

from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from functools import cache
from http.cookies import SimpleCookie
from pathlib import Path

from babel.dates import format_datetime, format_timedelta, get_timezone
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
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


ARCHIVE_TZ = "Europe/Paris"
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
"""English pages use British dates (day/month/year) and the 24-hour clock."""


def babel_locale() -> str:
    return BABEL_LOCALES[_current.get()]


def paris(value: datetime) -> datetime:
    """``value`` in Paris time (a naive value is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(get_timezone(ARCHIVE_TZ))


def zone(value: datetime) -> str:
    """``UTC+1`` in winter, ``UTC+2`` in summer (Paris)."""
    offset = paris(value).utcoffset() or timedelta()
    hours, rest = divmod(int(offset.total_seconds()) // 60, 60)
    return f"UTC{hours:+d}" + (f":{rest:02d}" if rest else "")


def format_dt(value: datetime | None) -> str:
    """``01/12/2026 06:30 UTC+1`` (French and British order alike), Paris time."""
    if value is None:
        return ""
    local = paris(value)
    text = format_datetime(local, "short", tzinfo=local.tzinfo, locale=babel_locale())
    return f"{text} {zone(value)}"


def format_day(value: datetime | None) -> str:
    if value is None:
        return ""
    local = paris(value)
    return format_datetime(
        local, "dd/MM/yyyy", tzinfo=local.tzinfo, locale=babel_locale()
    )


JUST_NOW = timedelta(seconds=45)


def format_ago(value: datetime | None, now: datetime | None = None) -> str:
    """``il y a 3 heures`` / ``3 hours ago`` (``dans …`` for a future time)."""
    if value is None:
        return ""
    delta = value - (now or datetime.now(UTC))
    if abs(delta) < JUST_NOW:
        return gettext("à l'instant")
    return format_timedelta(
        delta, add_direction=True, threshold=1.0, locale=babel_locale()
    )


def format_duration(seconds: float) -> str:
    """``3 jours`` / ``3 days`` (how long something has lasted)."""
    return format_timedelta(
        timedelta(seconds=seconds), threshold=1.0, locale=babel_locale()
    )


def format_number(value: float, digits: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=babel_locale())


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
