"""People ports: principals, API tokens and credentials."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from archive_svc.domain.model import Principal


@dataclass(frozen=True)
class ApiTokenRecord:
    """An API token: a machine role (``role``), or a person's (``person``, no role)."""

    id: str
    name: str
    role: str
    token_hash: str
    revoked: bool
    person: str | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Credential:
    """A person's password hash and lockout state (kept apart from ``principal``)."""

    principal_id: str
    password_hash: str
    failed_count: int = 0
    locked_until: datetime | None = None
    changed_at: datetime | None = None
    """When the password was last set; sessions issued before it are refused."""


class PrincipalRepository(abc.ABC):
    @abc.abstractmethod
    async def by_refs(self, refs: Iterable[str]) -> dict[str, Principal]:
        """Principals by id or badge barcode."""

    @abc.abstractmethod
    async def add(self, principal: Principal) -> None: ...

    @abc.abstractmethod
    async def set_active(self, principal_id: str, active: bool) -> bool:
        """Enable or disable a person; False when the id is unknown."""

    @abc.abstractmethod
    async def set_roles(self, principal_id: str, roles: frozenset[str]) -> bool:
        """Replace a person's roles; False when the id is unknown or internal."""


class TokenRepository(abc.ABC):
    @abc.abstractmethod
    async def by_hash(self, token_hash: str) -> ApiTokenRecord | None: ...

    @abc.abstractmethod
    async def add(self, token: ApiTokenRecord) -> None: ...

    @abc.abstractmethod
    async def all(self) -> list[ApiTokenRecord]:
        """Every token, revoked ones included, by name."""

    @abc.abstractmethod
    async def revoke(self, name_or_id: str) -> ApiTokenRecord | None:
        """Revoke a token by name or id; the token as it was, or None if unknown."""


class CredentialRepository(abc.ABC):
    @abc.abstractmethod
    async def get(self, principal_id: str) -> Credential | None: ...

    @abc.abstractmethod
    async def put(self, credential: Credential, at: datetime) -> None:
        """Insert or replace the credential of a person."""

    @abc.abstractmethod
    async def record_attempt(
        self, principal_id: str, failed_count: int, locked_until: datetime | None
    ) -> None: ...


class PeopleQueries(abc.ABC):
    """Reads of people; no transaction needed, never writes."""

    @abc.abstractmethod
    async def principals(self, refs: Iterable[str]) -> dict[str, Principal]:
        """People by id or badge barcode."""

    @abc.abstractmethod
    async def people(self) -> list[Principal]:
        """Every principal, by id."""

    @abc.abstractmethod
    async def token_holder(
        self, token_hash: str
    ) -> tuple[ApiTokenRecord, Principal | None] | None:
        """The token with this hash and, for a personal token, its person (one
        statement: it runs on every API request)."""
