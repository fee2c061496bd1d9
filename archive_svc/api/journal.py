"""The access journal of one request: route decisions and confidential reads.

Rows name the caller the guard identified (``anonymous`` when nobody is). A row
may be deferred (allowed route decisions are): it is then written with the next
row, or by :func:`flush_journal` before the response starts, so nothing reaches
the client before its journal rows are stored (access-rules.md §7).
"""

from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import Message, Scope

from archive_svc.api import auth, inputs
from archive_svc.services import access_log
from archive_svc.services.ports import Clock
from archive_svc.services.ports.journal import AccessJournalRepository, JournalEntry

JOURNAL_KEY = "archive_journal"
"""Connection-state key of the request's :class:`RequestJournal`."""


class RequestJournal:
    """Journal rows of one request; one per connection (see :meth:`of`)."""

    def __init__(
        self,
        connection: ASGIConnection[Any, Any, Any, Any],
        repository: AccessJournalRepository,
        clock: Clock,
    ) -> None:
        self._connection = connection
        self._repository = repository
        self._clock = clock
        self._pending: list[JournalEntry] = []

    @classmethod
    def of(
        cls,
        connection: ASGIConnection[Any, Any, Any, Any],
        repository: AccessJournalRepository,
        clock: Clock,
    ) -> "RequestJournal":
        """The connection's journal, made on first use."""
        state = connection.scope["state"]
        journal = state.get(JOURNAL_KEY)
        if not isinstance(journal, RequestJournal):
            journal = state[JOURNAL_KEY] = cls(connection, repository, clock)
        return journal

    async def record(
        self,
        action: str,
        object_ref: str,
        allowed: bool,
        rule: str,
        reason: str = "",
        *,
        defer: bool = False,
        claimed: str | None = None,
    ) -> None:
        """Journal one row for the caller; ``claimed`` names a caller not signed in
        (a failed sign-in's login), with no role.

        Written at once together with the rows deferred so far, unless ``defer``.
        """
        self._pending.append(
            self._entry(action, object_ref, allowed, rule, reason, claimed)
        )
        if not defer:
            await self.flush()

    async def read(self, action: str, object_ref: str) -> None:
        """Journal a read of a confidential record (file detail, history), allowed."""
        rule = self._connection.route_handler.opt.get("action")
        await self.record(action, object_ref, True, f"route:{rule}", "read")

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        await access_log.record(pending, self._repository)

    def _entry(
        self,
        action: str,
        object_ref: str,
        allowed: bool,
        rule: str,
        reason: str,
        claimed: str | None,
    ) -> JournalEntry:
        caller = auth.caller_of(self._connection)
        if claimed is not None:
            who, roles = claimed, ""
        elif caller is not None:
            who, roles = caller.id, caller.role_list
        else:
            who, roles = "anonymous", ""
        return JournalEntry(
            at=self._clock.now(),
            principal_ref=inputs.escape_controls(who),
            role=roles,
            action=action,
            object_ref=inputs.escape_controls(object_ref),
            decision="allow" if allowed else "deny",
            rule=rule,
            reason=inputs.escape_controls(reason),
            client=auth.client_address(self._connection),
            channel="api" if auth.is_api(self._connection) else "web",
        )


async def flush_journal(message: Message, scope: Scope) -> None:
    """``before_send`` hook: store the request's deferred rows before it answers."""
    if message["type"] != "http.response.start":
        return
    state = scope.get("state")
    journal = state.get(JOURNAL_KEY) if isinstance(state, dict) else None
    if isinstance(journal, RequestJournal):
        await journal.flush()
