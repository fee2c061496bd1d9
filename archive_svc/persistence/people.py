"""People: principals, API tokens, credentials and their read models (raw SQL)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine

from archive_svc.domain.model import Principal
from archive_svc.persistence import rowmap, sql
from archive_svc.persistence.tables import ApiToken
from archive_svc.services.ports import people as ports


class PiccoloPrincipals(ports.PrincipalRepository):
    _COLUMNS = (
        "id, display_name, roles, division, unit, badge_barcode, active, internal"
    )

    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def by_refs(self, refs: Iterable[str]) -> dict[str, Principal]:
        refs = set(refs)
        rows = await rowmap.select_by_either(
            self._engine, self._COLUMNS, "principal", ("id", "badge_barcode"), refs
        )
        found = {r["id"]: rowmap.principal_from_row(r) for r in rows if r["id"] in refs}
        found.update(
            {
                r["badge_barcode"]: rowmap.principal_from_row(r)
                for r in rows
                if r["badge_barcode"] in refs
            }
        )
        return found

    async def add(self, principal: Principal) -> None:
        with rowmap.unique_violation_as_already_exists():
            await sql.fetch(
                self._engine,
                "INSERT INTO principal (id, display_name, roles, division, unit, badge_barcode, active,"
                " internal, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, CURRENT_TIMESTAMP)",
                principal.id,
                principal.display_name,
                ",".join(sorted(principal.roles)),
                principal.division,
                principal.unit,
                principal.badge_barcode,
                principal.active,
                principal.internal,
            )

    async def set_active(self, principal_id: str, active: bool) -> bool:
        found = await sql.fetch(
            self._engine,
            "UPDATE principal SET active = {} WHERE id = {} RETURNING id",
            active,
            principal_id,
        )
        return bool(found)

    async def set_roles(self, principal_id: str, roles: frozenset[str]) -> bool:
        found = await sql.fetch(
            self._engine,
            "UPDATE principal SET roles = {} WHERE id = {} AND NOT internal RETURNING id",
            ",".join(sorted(roles)),
            principal_id,
        )
        return bool(found)


_TOKEN_COLUMNS = "t.id, t.name, t.role, t.token_hash, t.revoked, t.person, t.created_at, t.expires_at"


def _token(row: dict[str, Any]) -> ports.ApiTokenRecord:
    return ports.ApiTokenRecord(
        row["id"], row["name"], row["role"], row["token_hash"], bool(row["revoked"]),
        row["person"], row["created_at"], row["expires_at"],
    )  # fmt: skip


class PiccoloTokens(ports.TokenRepository):
    async def by_hash(self, token_hash: str) -> ports.ApiTokenRecord | None:
        row = (
            await ApiToken.select()
            .where(ApiToken.token_hash == token_hash)
            .first()
            .run()
        )
        return None if row is None else _token(row)

    async def all(self) -> list[ports.ApiTokenRecord]:
        rows = await ApiToken.select().order_by(ApiToken.name).run()
        return [_token(r) for r in rows]

    async def revoke(self, name_or_id: str) -> ports.ApiTokenRecord | None:
        rows = (
            await ApiToken.update({ApiToken.revoked: True})
            .where((ApiToken.name == name_or_id) | (ApiToken.id == name_or_id))
            .returning(*ApiToken.all_columns())
            .run()
        )
        return _token(rows[0]) if rows else None

    async def add(self, token: ports.ApiTokenRecord) -> None:
        with rowmap.unique_violation_as_already_exists(
            f"a token named {token.name!r} exists already"
        ):
            await ApiToken.insert(
                ApiToken(
                    id=token.id,
                    name=token.name,
                    role=token.role,
                    token_hash=token.token_hash,
                    revoked=token.revoked,
                    person=token.person,
                    created_at=token.created_at,
                    expires_at=token.expires_at,
                )
            ).run()


class PiccoloCredentials(ports.CredentialRepository):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def get(self, principal_id: str) -> ports.Credential | None:
        rows = await sql.fetch(
            self._engine,
            "SELECT principal_id, password_hash, failed_count, locked_until, changed_at"
            " FROM credential WHERE principal_id = {}",
            principal_id,
        )
        if not rows:
            return None
        r = rows[0]
        return ports.Credential(
            r["principal_id"],
            r["password_hash"],
            int(r["failed_count"]),
            r["locked_until"],
            r["changed_at"],
        )

    async def put(self, credential: ports.Credential, at: datetime) -> None:
        await sql.fetch(
            self._engine,
            "INSERT INTO credential (principal_id, password_hash, failed_count, locked_until,"
            " changed_at) VALUES ({}, {}, 0, NULL, {}) ON CONFLICT (principal_id) DO UPDATE"
            " SET password_hash = excluded.password_hash, failed_count = 0,"
            " locked_until = NULL, changed_at = excluded.changed_at",
            credential.principal_id,
            credential.password_hash,
            at,
        )

    async def record_attempt(
        self, principal_id: str, failed_count: int, locked_until: datetime | None
    ) -> None:
        await sql.fetch(
            self._engine,
            "UPDATE credential SET failed_count = {}, locked_until = {}"
            " WHERE principal_id = {}",
            failed_count,
            locked_until,
            principal_id,
        )


class PiccoloPeopleQueries(ports.PeopleQueries):
    def __init__(self, engine: Engine[Any]) -> None:
        self._engine = engine

    async def principals(self, refs: Iterable[str]) -> dict[str, Principal]:
        return await PiccoloPrincipals(self._engine).by_refs(refs)

    async def people(self) -> list[Principal]:
        found = await sql.fetch(
            self._engine,
            f"SELECT {PiccoloPrincipals._COLUMNS} FROM principal ORDER BY id",
        )
        return [rowmap.principal_from_row(r) for r in found]

    async def token_holder(
        self, token_hash: str
    ) -> tuple[ports.ApiTokenRecord, Principal | None] | None:
        rows = await sql.fetch(
            self._engine,
            f"SELECT {_TOKEN_COLUMNS}, p.id AS p_id, p.display_name AS p_display_name,"
            " p.roles AS p_roles, p.division AS p_division, p.unit AS p_unit,"
            " p.badge_barcode AS p_badge_barcode, p.active AS p_active,"
            " p.internal AS p_internal"
            " FROM api_token t LEFT JOIN principal p ON p.id = t.person"
            " WHERE t.token_hash = {}",
            token_hash,
        )
        if not rows:
            return None
        row = rows[0]
        person = None
        if row["p_id"] is not None:
            person = rowmap.principal_from_row(
                {k[2:]: v for k, v in row.items() if k.startswith("p_")}
            )
        return _token(row), person
