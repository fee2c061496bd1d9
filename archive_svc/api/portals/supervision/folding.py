"""The access journal as people read it: one line per consultation, not per request.

Opening a file's page writes three rows (the route, the item read, the history
read) and the labels form writes one per keystroke of its preview. Consecutive
rows of one person about one subject with one decision, less than
``FOLD_WINDOW`` apart, become one line that says when it began, when it ended
and how many requests it took.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from archive_svc.api.i18n import N_, _
from archive_svc.services.ports.journal import JournalEntry

FOLD_WINDOW = timedelta(minutes=15)
_SPECIFIC = ("read_item", "read_history", "sign_in")
"""Actions that say more than the route they ran under, most telling first."""
_SUBJECTS = (
    ("/console/items/", "item"),
    ("/console/locations/", "location"),
    ("/console/people/", "person"),
    ("/api/items/", "item"),
)


PAGES = {
    "/": N_("Page d'accueil"),
    "/console/": N_("La journée (console)"),
    "/console/out": N_("Hors des magasins"),
    "/console/record": N_("Enregistrer un mouvement"),
    "/console/search": N_("Recherche"),
    "/console/suggest": N_("Enregistrer un mouvement"),
    "/journal/": N_("Journal des accès"),
    "/journal/export.csv": N_("Export du journal"),
    "/admin/users/": N_("Utilisateurs"),
    "/login": N_("Connexion"),
}
"""Pages named by their path; the console's feed is part of its page."""
_SAME_PAGE = {"/console/feed": "/console/", "/console/suggest": "/console/record"}


@dataclass(frozen=True)
class Subject:
    kind: str
    """``item``, ``location``, ``person``, ``labels`` or ``page``."""
    ref: str

    @property
    def page_name(self) -> str:
        """A page's name in the page's language (its path when it has none)."""
        name = PAGES.get(self.ref)
        return _(name) if name else self.ref


@dataclass(frozen=True)
class Line:
    first: datetime
    last: datetime
    count: int
    principal_ref: str
    role: str
    action: str
    subject: Subject
    decision: str
    rule: str
    reason: str
    client: str
    channel: str


def subject(object_ref: str) -> Subject:
    """What a row is about: the file, place or person a page shows, else the page."""
    for prefix, kind in _SUBJECTS:
        if object_ref.startswith(prefix):
            return Subject(kind, object_ref[len(prefix) :].split("?")[0])
    if object_ref.startswith("person:"):
        return Subject("person", object_ref.partition(":")[2])
    if object_ref.startswith("/console/labels"):
        return Subject("labels", "/console/labels/")
    if object_ref.startswith("/") or not object_ref:
        path = object_ref.split("?")[0]
        path = path if path.endswith("/") or path + "/" not in PAGES else path + "/"
        return Subject("page", _SAME_PAGE.get(path, path))
    return Subject("item", object_ref)


def _line(entry: JournalEntry) -> Line:
    about = subject(entry.object_ref)
    if entry.action == "sign_in":
        about = Subject("person", entry.object_ref or entry.principal_ref)
    return Line(
        entry.at, entry.at, 1, entry.principal_ref, entry.role, entry.action,
        about, entry.decision, entry.rule, entry.reason, entry.client, entry.channel,
    )  # fmt: skip


def _rank(action: str) -> int:
    return _SPECIFIC.index(action) if action in _SPECIFIC else len(_SPECIFIC)


def fold(entries: Iterable[JournalEntry]) -> list[Line]:
    """Rows newest first in, lines newest first out."""
    lines: list[Line] = []
    for entry in entries:
        line = _line(entry)
        if lines and _same(lines[-1], line):
            prev = lines[-1]
            best = min(prev, line, key=lambda x: _rank(x.action))
            lines[-1] = replace(
                prev,
                first=line.first,
                count=prev.count + 1,
                action=best.action,
                rule=best.rule,
                reason=best.reason,
            )
            continue
        lines.append(line)
    return lines


def _same(prev: Line, line: Line) -> bool:
    return (
        prev.principal_ref == line.principal_ref
        and prev.subject == line.subject
        and prev.decision == line.decision
        and prev.first - line.last <= FOLD_WINDOW
    )
