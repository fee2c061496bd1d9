"""The access journal for supervisors: filtered list and CSV export."""

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from archive_svc.access.rules import Action
from archive_svc.api import i18n, vocabulary
from archive_svc.api.portals.common import page
from archive_svc.api.portals.supervision import folding
from archive_svc.api.portals.supervision.schemas import Day, PageNo, Text
from archive_svc.services import ports
from archive_svc.services.ports import Clock
from archive_svc.services.ports.journal import JournalQuery

Queries = NamedDependency[ports.Queries]
CSV_LIMIT = 100_000
ROWS_PER_PAGE = 300
"""Journal rows per page, before folding."""


def _query(
    who: str,
    action: str,
    decision: str,
    since: date | None,
    until: date | None,
    about: str = "",
) -> JournalQuery:
    """Days are Paris days."""
    return JournalQuery(
        principal_ref=who.strip(),
        action=action.strip(),
        decision=decision if decision in ("allow", "deny") else "",
        since=_paris_midnight(since) if since else None,
        until=_paris_midnight(until + timedelta(days=1)) if until else None,
        object_ref=about.strip(),
    )


def _paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(i18n.ARCHIVE_TZ)).astimezone(UTC)


class JournalController(Controller):
    path = "/journal"
    include_in_schema = False
    opt = {"action": Action.READ_ACCESS_JOURNAL}

    @get("/")
    async def entries(
        self,
        request: Request[Any, Any, Any],
        queries: Queries,
        clock: NamedDependency[Clock],
        who: Text = "",
        action: Text = "",
        decision: Text = "",
        since: Day = None,
        until: Day = None,
        about: Text = "",
        last: Annotated[int, FromQuery, msgspec.Meta(ge=0, le=24 * 365)] = 0,
        page_no: PageNo = 1,
    ) -> Template:
        """Consultations folded into lines; ready-made filters on top."""
        query = _query(who, action, decision, since, until, about)
        if last:
            query = replace(query, since=clock.now() - timedelta(hours=last))
        rows, total = await queries.journal_entries(
            query, (page_no - 1) * ROWS_PER_PAGE, ROWS_PER_PAGE
        )
        lines = folding.fold(rows)
        wanted = {line.principal_ref for line in lines}
        wanted |= {ln.subject.ref for ln in lines if ln.subject.kind == "person"}
        f = {
            "who": who,
            "action": action,
            "decision": decision,
            "since": since or "",
            "until": until or "",
            "about": about,
            "last": last or "",
        }
        return page(
            request,
            "supervision/list.html",
            lines=lines,
            names=await queries.principals(wanted),
            total=total,
            page_no=page_no,
            pages=max(1, (total + ROWS_PER_PAGE - 1) // ROWS_PER_PAGE),
            f=f,
            query_string=urlencode({k: v for k, v in f.items() if v}),
            actions=sorted(
                (
                    (code, vocabulary.label("action", code))
                    for code in vocabulary.ACTIONS
                ),
                key=lambda pair: pair[1],
            ),
            now=clock.now(),
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
        about: Text = "",
    ) -> Response[bytes]:
        rows, _ = await queries.journal_entries(
            _query(who, action, decision, since, until, about), 0, CSV_LIMIT
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
