"""Who is calling: a bearer token under ``/api``, the signed-in session on pages.

The route guard resolves the caller once per request and stores it on the
connection (:func:`set_caller`); everything else reads it through
:func:`caller_of` or the ``caller`` dependency. Every read of tokens, people and
credentials goes through a unit of work.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException

from archive_svc.access.principals import Role
from archive_svc.api.security import SESSION_ABSOLUTE_S, rotate_session_id
from archive_svc.domain import commands
from archive_svc.domain.model import Principal
from archive_svc.services import people, registry
from archive_svc.services.ports import AbstractUnitOfWork, Clock
from archive_svc.services.ports.people import PeopleQueries

CALLER_KEY = "archive_caller"
"""Connection-state key of the request's :class:`Caller` (set by the route guard)."""

Connection = ASGIConnection[Any, Any, Any, Any]


class CallerKind(enum.StrEnum):
    PERSON = "person"
    """Signed in to the pages with a password (a session)."""
    TOKEN = "token"
    """An API client with a bearer token: a person's, or an integration's."""
    STATION = "station"
    """A scanner station's machine token (role ``gateway``)."""


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of one request.

    ``id`` is the person for a session or a personal token (journaled as them),
    else the token's name; ``token`` names the token a request came with.
    """

    id: str
    display_name: str
    roles: frozenset[str]
    kind: CallerKind
    token: str | None = None
    person: str | None = None
    """The person the caller is (a session, a personal token), if any."""

    @classmethod
    def person_session(cls, principal: Principal) -> "Caller":
        return cls(
            principal.id, principal.display_name, principal.roles, CallerKind.PERSON,
            person=principal.id,
        )  # fmt: skip

    @classmethod
    def token_holder(cls, holder: registry.TokenHolder) -> "Caller":
        record, person = holder.record, holder.person
        if person is not None:
            return cls(
                person.id, person.display_name, person.roles, CallerKind.TOKEN,
                record.name, person.id,
            )  # fmt: skip
        kind = CallerKind.STATION if record.role == Role.GATEWAY else CallerKind.TOKEN
        return cls(
            record.name, record.name, frozenset({record.role}), kind, record.name
        )

    @property
    def submitter(self) -> commands.Submitter:
        """The caller as the submitter of movements (hashed with each of them)."""
        kinds = {
            CallerKind.PERSON: commands.SubmitterKind.PERSON,
            CallerKind.TOKEN: commands.SubmitterKind.TOKEN,
            CallerKind.STATION: commands.SubmitterKind.STATION,
        }
        return commands.Submitter(
            kinds[self.kind], self.token or self.id, self.roles, self.person
        )

    @property
    def role_list(self) -> str:
        """The roles as the access journal writes them: sorted, comma-separated."""
        return ",".join(sorted(self.roles))


def set_caller(connection: Connection, caller: Caller) -> None:
    connection.scope["state"][CALLER_KEY] = caller


def caller_of(connection: Connection) -> Caller | None:
    """The caller the guard identified, or ``None`` (public route, nobody signed in)."""
    caller = connection.scope["state"].get(CALLER_KEY)
    return caller if isinstance(caller, Caller) else None


def is_api(connection: Connection) -> bool:
    path = connection.scope["path"]
    return path == "/api" or path.startswith("/api/")


def client_address(connection: Connection) -> str:
    return connection.client.host if connection.client else ""


class TokenAuthenticator:
    """Resolves bearer tokens against the database on every request (one indexed
    read), so a revocation, an expiry or a disabled person counts at once on
    every instance: no process keeps a token it was once told was valid."""

    def __init__(self, queries: PeopleQueries, clock: Clock) -> None:
        self._queries = queries
        self._clock = clock

    async def caller(self, connection: Connection) -> Caller:
        """The token's caller; ``NotAuthorizedException`` when missing or unknown."""
        token = _bearer_token(connection)
        holder = await registry.authenticate(token, self._queries, self._clock.now())
        if holder is None:
            raise NotAuthorizedException("unknown, revoked or expired token")
        return Caller.token_holder(holder)


def _bearer_token(connection: Connection) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException(
            "missing bearer token (Authorization: Bearer <token>)"
        )
    return token.strip()


class WebSession:
    """The page session of one request: who it names, beginning and ending it."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def begin(self, person: Principal, at: datetime) -> Caller:
        """Sign ``person`` in from now on, under a fresh session id; they are the caller."""
        rotate_session_id(self._connection)
        self._connection.set_session({"pid": person.id, "iat": at.timestamp()})
        caller = Caller.person_session(person)
        set_caller(self._connection, caller)
        return caller

    def end(self) -> None:
        self._connection.clear_session()

    async def caller(
        self, uow_factory: Callable[[], AbstractUnitOfWork], clock: Clock
    ) -> Caller | None:
        """The signed-in person, re-read on every request: too old a session, a
        disabled person or a password set since the session began (a reset by an
        administrator) ends it at once."""
        session = self._connection.scope.get("session")
        if not isinstance(session, dict) or "pid" not in session:
            return None
        issued = session.get("iat")
        now = clock.now().timestamp()
        if not isinstance(issued, int | float) or now - issued > SESSION_ABSOLUTE_S:
            self.end()
            return None
        began = datetime.fromtimestamp(issued, UTC)
        person = await people.session_person(str(session["pid"]), began, uow_factory())
        if person is None:
            self.end()
            return None
        return Caller.person_session(person)


async def identify(
    connection: Connection,
    tokens: TokenAuthenticator,
    uow_factory: Callable[[], AbstractUnitOfWork],
    clock: Clock,
) -> Caller | None:
    """The caller by bearer token under ``/api`` (raising ``NotAuthorizedException``
    without a valid one), else by the session (``None`` when nobody is signed in);
    stored on the connection."""
    if is_api(connection):
        caller: Caller | None = await tokens.caller(connection)
    else:
        caller = await WebSession(connection).caller(uow_factory, clock)
    if caller is not None:
        set_caller(connection, caller)
    return caller
