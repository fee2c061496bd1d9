"""The access journal for supervisors: filtered list and CSV export."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Template

from archive_svc.access.rules import Action
from archive_svc.api.portals.common import page
from archive_svc.api.portals.supervision.schemas import Day, PageNo, Text
from archive_svc.services import ports
from archive_svc.services.ports.journal import JournalQuery

Queries = NamedDependency[ports.Queries]
CSV_LIMIT = 100_000


def _query(
    who: str, action: str, decision: str, since: date | None, until: date | None
) -> JournalQuery:
    return JournalQuery(
        principal_ref=who.strip(),
        action=action.strip(),
        decision=decision if decision in ("allow", "deny") else "",
        since=datetime.combine(since, time(), UTC) if since else None,
        until=datetime.combine(until, time(), UTC) + timedelta(days=1)
        if until
        else None,
    )


class JournalController(Controller):
    path = "/journal"
    include_in_schema = False
    opt = {"action": Action.READ_ACCESS_JOURNAL}

    @get("/")
    async def entries(
        self,
        request: Request[Any, Any, Any],
        queries: Queries,
        who: Text = "",
        action: Text = "",
        decision: Text = "",
        since: Day = None,
        until: Day = None,
        page_no: PageNo = 1,
    ) -> Template:
        query = _query(who, action, decision, since, until)
        rows, total = await queries.journal_entries(query, (page_no - 1) * 100, 100)
        return page(
            request,
            "supervision/list.html",
            rows=rows,
            total=total,
            page_no=page_no,
            pages=max(1, (total + 99) // 100),
            f={
                "who": who,
                "action": action,
                "decision": decision,
                "since": since or "",
                "until": until or "",
            },
        )

    @get("/export.csv", media_type="text/csv")
    async def export(
        self,
        queries: Queries,
        who: Text = "",
        action: Text = "",
        decision: Text = "",
        since: Day = None,
        until: Day = None,
    ) -> Response[bytes]:
        rows, _ = await queries.journal_entries(
            _query(who, action, decision, since, until), 0, CSV_LIMIT
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "at",
                "principal",
                "role",
                "action",
                "object",
                "decision",
                "rule",
                "reason",
                "client",
                "channel",
            ]
        )
        for r in rows:
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        r.at.isoformat(),
                        r.principal_ref,
                        r.role,
                        r.action,
                        r.object_ref,
                        r.decision,
                        r.rule,
                        r.reason,
                        r.client,
                        r.channel,
                    )
                ]
            )
        return Response(
            out.getvalue().encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": 'attachment; filename="access-journal.csv"'
            },
        )


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
