"""Roles of access-rules.md §2 (snake_case, the same on the wire and in code)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    PROTECTION_OFFICER = "protection_officer"
    LEGAL_CONSULTANT = "legal_consultant"
    CIVIL_REGISTRAR = "civil_registrar"
    RESEARCH_ASSISTANT = "research_assistant"
    SECRETARY = "secretary"
    DIGITISATION_SECRETARY = "digitisation_secretary"
    ARCHIVE_AGENT = "archive_agent"
    ARCHIVE_MANAGER = "archive_manager"
    HISTORY_MISSION_STAFF = "history_mission_staff"
    DG_DELEGATE = "dg_delegate"
    DPO_AUDITOR = "dpo_auditor"
    RESEARCHER = "researcher"
    PUBLIC = "public"
    CNDA = "cnda"
    ADMINISTRATIVE_COURT = "administrative_court"
    PREFECTURE_AGENT = "prefecture_agent"
    OFII = "ofii"
    PUBLIC_PROSECUTOR = "public_prosecutor"
    POLICE = "police"
    FOREIGN_AUTHORITY = "foreign_authority"
    UNHCR = "unhcr"
    INTERIOR_CUSTODY = "interior_custody"
    SIAF = "siaf"
    DESTRUCTION_CONTRACTOR = "destruction_contractor"
    ADMINISTRATOR = "administrator"
    GATEWAY = "gateway"
    """A scanner station (machine token named after its device id)."""
    INTEGRATION = "integration"
    """Another system of the office (machine token): registers and looks up items."""


ROLE_NAMES = frozenset(r.value for r in Role)


def parse_role(raw: str) -> Role:
    try:
        return Role(raw)
    except ValueError:
        valid = ", ".join(sorted(ROLE_NAMES))
        raise ValueError(f"unknown role {raw!r}; valid roles: {valid}") from None


DIVISIONS = frozenset({"africa", "americas_maghreb", "asia", "europe_middle_east"})
"""Geographic divisions of protection officers (access-rules.md §2)."""

MACHINE_ROLES = frozenset({Role.GATEWAY.value, Role.INTEGRATION.value})
"""The only roles a token carries (a person's token carries the person instead)."""

PERSON_ROLES = frozenset(ROLE_NAMES - MACHINE_ROLES - {Role.PUBLIC.value})
"""Roles a person may hold (machines have tokens, ``public`` is anonymous)."""


def parse_roles(raw: str) -> frozenset[str]:
    """Comma-separated role names; raises ``ValueError`` naming an unknown one."""
    roles = frozenset(r.strip() for r in raw.split(",") if r.strip())
    if not roles:
        raise ValueError("at least one role is required")
    for role in roles:
        if parse_role(role).value not in PERSON_ROLES:
            raise ValueError(f"role {role!r} is not held by people")
    return roles


def parse_division(raw: str) -> str:
    if raw and raw not in DIVISIONS:
        raise ValueError(
            f"unknown division {raw!r}; valid: {', '.join(sorted(DIVISIONS))}"
        )
    return raw
