"""What the app is given, and the typed dependencies its handlers declare.

``create_app`` stores one :class:`AppContext` on the app; handlers never read
``state`` or the scope: they name what they need (``uow``, ``queries``, ``clock``,
``policy``, ``caller``, ``journal``, ...) as ``NamedDependency[...]`` parameters,
provided by the ``provide_*`` functions of :data:`DEPENDENCIES`. Guards and hooks,
which cannot declare dependencies, use :func:`app_context`.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException

from archive_svc.api.auth import Caller, TokenAuthenticator, WebSession, caller_of
from archive_svc.api.journal import RequestJournal
from archive_svc.api.security import WebSecurity
from archive_svc.services import people
from archive_svc.services.custody import LedgerPolicy
from archive_svc.services.ports import AbstractUnitOfWork, Clock, Queries
from archive_svc.services.ports.console import ConsoleQueries
from archive_svc.services.ports.journal import AccessJournalRepository

APP_CONTEXT_KEY = "archive_context"
"""App-state key of the :class:`AppContext`."""


@dataclass
class AppDeps:
    """What the web app needs, chosen by the composition root."""

    uow_factory: Callable[[], AbstractUnitOfWork]
    queries: Queries
    clock: Clock
    policy: LedgerPolicy
    on_startup: Callable[[], Awaitable[None]] | None = None
    on_shutdown: Callable[[], Awaitable[None]] | None = None
    web: WebSecurity | None = None
    """Sessions and CSRF; ``None`` (tests) means a random secret and memory sessions."""
    ui_locale: str = "fr"
    login_throttle: people.AddressThrottle | None = None
    """Failed sign-ins per client address (per process); a default one when None."""
    console: ConsoleQueries | None = None
    """Reads of the console pages (home figures, holders, totals)."""


@dataclass(frozen=True)
class AppContext:
    """The app's collaborators, made once by ``create_app``."""

    uow_factory: Callable[[], AbstractUnitOfWork]
    queries: Queries
    clock: Clock
    policy: LedgerPolicy
    tokens: TokenAuthenticator
    access_journal: AccessJournalRepository | None
    """``None`` only in an app built without a database (to list its routes)."""
    login_throttle: people.AddressThrottle
    console: ConsoleQueries | None = None

    @classmethod
    def build(cls, deps: AppDeps) -> "AppContext":
        return cls(
            uow_factory=deps.uow_factory,
            queries=deps.queries,
            clock=deps.clock,
            policy=deps.policy,
            tokens=TokenAuthenticator(deps.queries, deps.clock),
            # Writes outside any transaction: one statement of its own per call.
            access_journal=(
                deps.uow_factory().access_journal
                if deps.uow_factory is not None
                else None
            ),
            login_throttle=deps.login_throttle or people.AddressThrottle(),
            console=deps.console,
        )

    def state(self) -> State:
        return State({APP_CONTEXT_KEY: self})


Connection = ASGIConnection[Any, Any, Any, Any]


def app_context(connection: Connection) -> AppContext:
    context = connection.app.state[APP_CONTEXT_KEY]
    if not isinstance(context, AppContext):
        raise TypeError(f"app state {APP_CONTEXT_KEY!r} is not an AppContext")
    return context


def request_journal(connection: Connection) -> RequestJournal:
    context = app_context(connection)
    if context.access_journal is None:
        raise RuntimeError("the app was built without a database")
    return RequestJournal.of(connection, context.access_journal, context.clock)


AnyRequest = Request[Any, Any, Any]


async def provide_uow(request: AnyRequest) -> AbstractUnitOfWork:
    """A fresh unit of work for the request's one command."""
    return app_context(request).uow_factory()


async def provide_queries(request: AnyRequest) -> Queries:
    return app_context(request).queries


async def provide_console(request: AnyRequest) -> ConsoleQueries:
    console = app_context(request).console
    if console is None:
        raise RuntimeError("the app was built without the console's read models")
    return console


async def provide_clock(request: AnyRequest) -> Clock:
    return app_context(request).clock


async def provide_policy(request: AnyRequest) -> LedgerPolicy:
    return app_context(request).policy


async def provide_login_throttle(request: AnyRequest) -> people.AddressThrottle:
    return app_context(request).login_throttle


async def provide_caller(request: AnyRequest) -> Caller:
    """The caller the route guard identified; only non-public routes have one."""
    caller = caller_of(request)
    if caller is None:
        raise NotAuthorizedException("sign-in required")
    return caller


async def provide_journal(request: AnyRequest) -> RequestJournal:
    return request_journal(request)


async def provide_web_session(request: AnyRequest) -> WebSession:
    return WebSession(request)


DEPENDENCIES = {
    "uow": Provide(provide_uow),
    "queries": Provide(provide_queries),
    "console": Provide(provide_console),
    "clock": Provide(provide_clock),
    "policy": Provide(provide_policy),
    "login_throttle": Provide(provide_login_throttle),
    "caller": Provide(provide_caller),
    "journal": Provide(provide_journal),
    "web_session": Provide(provide_web_session),
}
"""Name -> provider, for ``Litestar(dependencies=...)``."""
