"""People who sign in: creation, passwords (argon2id), sign-in with lockout and throttling."""

from __future__ import annotations

import hashlib
import re
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from archive_svc.access import principals as roles
from archive_svc.domain import commands, errors
from archive_svc.domain.model import Principal
from archive_svc.services.ports import AbstractUnitOfWork, Clock
from archive_svc.services.ports.journal import JournalEntry
from archive_svc.services.ports.people import Credential

MIN_PASSWORD = 12
MAX_PASSWORD = 256
MIN_PASSWORD_SCORE = 3
"""Lowest zxcvbn score (0-4) accepted: below it a password is a common one, a
keyboard walk, a dictionary word with digits... (``zxcvbn``'s lists, maintained
upstream, not ours)."""
SCORED_LENGTH = 72
"""zxcvbn scores this many first characters (its own bound: its cost grows fast
with the length, and it refuses longer input)."""
ACCOUNT_FAILURES = 5
"""Failures on one account from one address within ``ACCOUNT_LOCK`` that lock that
account for that address (and only there)."""
ACCOUNT_LOCK = timedelta(minutes=15)
ADDRESS_FAILURES = 20
"""Failures from one client address within ``ADDRESS_WINDOW`` before it is throttled."""
ADDRESS_WINDOW = timedelta(minutes=15)
MAX_TRACKED = 50_000
"""Addresses, and account-and-address pairs, whose failures are remembered."""
UNKNOWN_ACCOUNT = "unknown_account"
"""What the journal names for a failed sign-in on no known account: the typed text
may well be a password typed in the wrong field, so it is never stored."""
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")

_hasher = PasswordHasher()  # argon2id with the library's current defaults (no I/O)


@cache
def _dummy_hash() -> str:
    """Verified against for unknown logins, so they take as long as known ones."""
    return _hasher.hash("not a password, keeps timing even")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (the policy is :func:`check_password`)."""
    return _hasher.hash(password)


def check_password(password: str, principal_id: str) -> None:
    """``WeakPassword`` (with a French reason) unless ``password`` may be
    ``principal_id``'s: 12 to 256 characters, not the id, not one character
    repeated, not guessable (zxcvbn score below :data:`MIN_PASSWORD_SCORE`)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise errors.WeakPassword(
            "length",
            f"un mot de passe a de {MIN_PASSWORD} à {MAX_PASSWORD} caractères",
        )
    if password.strip().lower() == principal_id.strip().lower():
        raise errors.WeakPassword(
            "same_as_id", "le mot de passe ne peut pas être l'identifiant"
        )
    if len(set(password)) == 1:
        raise errors.WeakPassword(
            "repeated", "le mot de passe ne peut pas répéter un seul caractère"
        )
    scored = password[:SCORED_LENGTH]
    if zxcvbn(scored, user_inputs=[principal_id])["score"] < MIN_PASSWORD_SCORE:
        raise errors.WeakPassword(
            "common", "ce mot de passe est trop courant ou trop facile à deviner"
        )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return False


def _person(cmd: commands.CreatePerson) -> Principal:
    if not _ID.match(cmd.id):
        raise errors.InvalidInput(
            "an id is 2 to 63 lowercase letters, digits, '.', '_' or '-'", field="id"
        )
    if not cmd.display_name.strip() or len(cmd.display_name) > 200:
        raise errors.InvalidInput("a name has 1 to 200 characters", field="name")
    if len(cmd.unit) > 64:
        raise errors.InvalidInput("a unit has at most 64 characters", field="unit")
    try:
        parsed = roles.parse_roles(cmd.roles)
        division = roles.parse_division(cmd.division)
    except ValueError as exc:
        raise errors.InvalidInput(str(exc), field="roles") from None
    return Principal(cmd.id, cmd.display_name.strip(), parsed, division, cmd.unit)


@dataclass(frozen=True)
class Administrator:
    """Who changes people: a signed-in administrator (``id``) or the command line."""

    id: str
    roles: str = ""
    """As the access journal writes them (sorted, comma-separated)."""
    channel: str = "web"

    @classmethod
    def command_line(cls, who: str = "cli") -> Administrator:
        """The command line, journaled as ``who`` (the CLI passes ``cli:<user>``)."""
        return cls(who, "", "cli")


async def create_person(
    cmd: commands.CreatePerson,
    password: str,
    uow: AbstractUnitOfWork,
    clock: Clock,
    by: Administrator,
) -> Principal:
    """Create a person and their credential; ``AlreadyExists`` for a taken id.

    The access journal records who created whom with which roles, in the same
    transaction.
    """
    person = _person(cmd)
    check_password(password, person.id)
    password_hash = hash_password(password)
    now = clock.now()
    async with uow:
        await uow.principals.add(person)
        await uow.credentials.put(Credential(person.id, password_hash), now)
        await uow.access_journal.add_many([_created(person, by, now)])
        await uow.commit()
    return person


def _created(person: Principal, by: Administrator, at: datetime) -> JournalEntry:
    return JournalEntry(
        at=at, principal_ref=by.id, role=by.roles, action="create_person",
        object_ref=person.id, decision="allow", rule="service:create_person",
        reason="roles=" + ",".join(sorted(person.roles)), channel=by.channel,
    )  # fmt: skip


async def set_roles(
    principal_id: str,
    raw_roles: str,
    uow: AbstractUnitOfWork,
    clock: Clock,
    by: Administrator,
) -> Principal:
    """Replace a person's roles; refused on oneself and on internal principals.
    Each role granted or withdrawn is journaled (who, whom, which role)."""
    if principal_id == by.id:
        raise errors.AccessDenied("an administrator does not change their own roles")
    try:
        wanted = roles.parse_roles(raw_roles)
    except ValueError as exc:
        raise errors.InvalidInput(str(exc), field="roles") from None
    async with uow:
        person = await _changeable(principal_id, uow)
        if not await uow.principals.set_roles(principal_id, wanted):
            raise errors.UnknownPrincipal(f"no person {principal_id!r}")
        await uow.access_journal.add_many(
            _role_rows(by, principal_id, wanted, person.roles, clock.now())
        )
        await uow.commit()
    return replace(person, roles=wanted)


def _role_rows(
    by: Administrator,
    whom: str,
    granted: frozenset[str],
    held: frozenset[str],
    at: datetime,
) -> list[JournalEntry]:
    def row(action: str, role: str) -> JournalEntry:
        return JournalEntry(
            at, by.id, by.roles, action, f"person:{whom}", "allow",
            "manage_users", role, "", by.channel,
        )  # fmt: skip

    return [row("grant_role", r) for r in sorted(granted - held)] + [
        row("withdraw_role", r) for r in sorted(held - granted)
    ]


async def _changeable(principal_id: str, uow: AbstractUnitOfWork) -> Principal:
    """The person ``principal_id`` names, if administrators may change them."""
    person = (await uow.principals.by_refs([principal_id])).get(principal_id)
    if person is None or person.id != principal_id:
        raise errors.UnknownPrincipal(f"no person {principal_id!r}")
    if person.internal:
        raise errors.AccessDenied(
            f"{principal_id} is the service itself: it never signs in"
        )
    return person


async def set_active(
    principal_id: str, active: bool, uow: AbstractUnitOfWork, by: Administrator
) -> None:
    """Disable (or re-enable) a person; their sessions are refused at the next
    request. An administrator does not disable themselves."""
    if principal_id == by.id and not active:
        raise errors.AccessDenied("an administrator does not disable themselves")
    async with uow:
        await _changeable(principal_id, uow)
        if not await uow.principals.set_active(principal_id, active):
            raise errors.UnknownPrincipal(f"no person {principal_id!r}")
        await uow.commit()


async def reset_password(
    principal_id: str, password: str, uow: AbstractUnitOfWork, clock: Clock
) -> None:
    """A new password; internal principals (``system``) never get one."""
    check_password(password, principal_id)
    password_hash = hash_password(password)
    async with uow:
        await _changeable(principal_id, uow)
        await uow.credentials.put(Credential(principal_id, password_hash), clock.now())
        await uow.commit()


class AddressThrottle:
    """Failed sign-ins, per process (like the rate limiter of stack-notes §1).

    An address failing too often is throttled for every account. An account is
    locked only for the address that keeps failing on it (the account-and-address
    pair), so nobody can lock a colleague out by typing wrong passwords under
    their name; failures against an earlier password do not count (an
    administrator's reset lifts the lock).
    """

    def __init__(
        self,
        limit: int = ADDRESS_FAILURES,
        window: timedelta = ADDRESS_WINDOW,
        pair_limit: int = ACCOUNT_FAILURES,
        pair_window: timedelta = ACCOUNT_LOCK,
    ) -> None:
        self._limit = limit
        self._window = window
        self._pair_limit = pair_limit
        self._pair_window = pair_window
        self._failures: dict[str, deque[datetime]] = {}
        self._pairs: dict[tuple[str, str], tuple[str, deque[datetime]]] = {}

    def blocked(self, address: str, now: datetime) -> bool:
        window = self._failures.get(address)
        if not window:
            return False
        while window and window[0] <= now - self._window:
            window.popleft()
        return len(window) >= self._limit

    def locked(
        self, account: str, address: str, now: datetime, generation: str
    ) -> bool:
        """Whether ``account`` is locked for ``address``: enough failures from there
        within the lock window against the same password (``generation`` names
        it, e.g. its hash: a new password starts afresh)."""
        entry = self._pairs.get((account, address))
        if entry is None or entry[0] != generation:
            return False
        start = now - self._pair_window
        return sum(1 for at in entry[1] if at > start) >= self._pair_limit

    def failed(
        self, address: str, now: datetime, account: str = "", generation: str = ""
    ) -> None:
        window = self._failures.pop(address, None) or deque(maxlen=self._limit)
        window.append(now)
        self._failures[address] = window  # most recent last
        _forget_oldest(self._failures)
        if account:
            entry = self._pairs.pop((account, address), None)
            if entry is None or entry[0] != generation:
                entry = (generation, deque(maxlen=self._pair_limit))
            entry[1].append(now)
            self._pairs[(account, address)] = entry
            _forget_oldest(self._pairs)

    def succeeded(self, account: str, address: str) -> None:
        self._pairs.pop((account, address), None)


def _forget_oldest(failures: dict[Any, Any]) -> None:
    """Bound memory: past :data:`MAX_TRACKED` keys, forget the least recently failed
    (never everything at once, which would lift every lock)."""
    while len(failures) > MAX_TRACKED:
        del failures[next(iter(failures))]


@dataclass(frozen=True)
class SignIn:
    outcome: Literal["ok", "invalid", "throttled"]
    person: Principal | None = None
    account: str = UNKNOWN_ACCOUNT
    """The known account the attempt named, else :data:`UNKNOWN_ACCOUNT`."""


async def sign_in(
    login: str,
    password: str,
    address: str,
    uow: AbstractUnitOfWork,
    clock: Clock,
    throttle: AddressThrottle,
) -> SignIn:
    """Check a password. Wrong, unknown, disabled and locked all answer ``invalid``."""
    now = clock.now()
    if throttle.blocked(address, now):
        return SignIn("throttled")
    login = login.strip().lower()[:64]
    async with uow:
        person = (await uow.principals.by_refs([login])).get(login) if login else None
        if person is not None and person.internal:
            person = None
        credential = await uow.credentials.get(person.id) if person else None
        if person is None or credential is None:
            _verify(_dummy_hash(), password)
            throttle.failed(address, now)
            return SignIn("invalid")
        generation = hashlib.sha256(credential.password_hash.encode()).hexdigest()
        locked = throttle.locked(person.id, address, now, generation)
        good = _verify(credential.password_hash, password) and not locked
        if good and person.active:
            throttle.succeeded(person.id, address)
            if credential.failed_count:
                await uow.credentials.record_attempt(person.id, 0, None)
            await uow.commit()
            return SignIn("ok", person, person.id)
        await uow.credentials.record_attempt(
            person.id, credential.failed_count + 1, None
        )
        await uow.commit()
    throttle.failed(address, now, person.id, generation)
    return SignIn("invalid", account=person.id)


async def session_person(
    person_id: str, signed_in_at: datetime, uow: AbstractUnitOfWork
) -> Principal | None:
    """The person of a session opened at ``signed_in_at``, re-read in one unit of work.

    ``None`` when the person is gone or disabled, or their password was set after
    the session began (a reset by an administrator ends older sessions).
    """
    async with uow:
        person = (await uow.principals.by_refs([person_id])).get(person_id)
        if person is None or not person.active or person.internal:
            return None
        credential = await uow.credentials.get(person_id)
    changed = credential.changed_at if credential else None
    if changed is not None and changed > signed_in_at:
        return None
    return person
