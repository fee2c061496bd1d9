"""Label printing from the agents' console: pick a selection, see what it gives, get the PDF.

The form names a selection (what a box or location holds, the shelves below a
location or between two shelves, the day's new accessions, pasted barcodes, the
command sheet), a label kind and a sheet layout. ``/preview`` (HTMX, on every change)
says how many labels and pages it makes and what had to be shortened; a plain submit
downloads the PDF. Both go through :func:`archive_svc.printing.render`.
"""

import logging
import re
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Template

import labels
from archive_svc import printing
from archive_svc.access.rules import Action
from archive_svc.api import i18n, vocabulary
from archive_svc.api.i18n import N_, _
from archive_svc.api.portals.agents import preview
from archive_svc.api.portals.agents.schemas import LabelForm, Short
from archive_svc.api.portals.common import PAGE_MAX_BODY, page
from archive_svc.domain import errors
from archive_svc.services import ports

SELECTIONS = {
    "contents": N_("Contenu d'un lieu ou d'une boîte"),
    "shelves": N_("Toutes les tablettes sous un lieu"),
    "range": N_("Tablettes de … à …"),
    "accessions": N_("Nouvelles entrées (par date d'entrée)"),
    "codes": N_("Codes-barres saisis ou scannés"),
    "command": N_("Feuille des codes de commande des scanners"),
}
KINDS = {
    "box": N_("Boîtes"),
    "file": N_("Dossiers"),
    "envelope": N_("Enveloppes de documents originaux"),
    "location": N_("Emplacements (tablettes, travées, magasins)"),
}
log = logging.getLogger(__name__)
_SPLIT = re.compile(r"[\s,;]+")

FormBody = URLEncodedBody[LabelForm]
Queries = NamedDependency[ports.Queries]


def print_job(form: LabelForm, lang: str) -> printing.PrintJob:
    """The form as a print job; a missing or malformed field is a ``SelectionError``."""
    try:
        start = int(form.start or "1")
    except ValueError:
        raise printing.SelectionError(
            f"start position {form.start!r} is not a number", reason="start"
        ) from None
    kind, query = form.kind, None
    codes: tuple[str, ...] = ()
    if form.selection == "command":
        kind = "command"
    elif form.selection == "codes":
        codes = tuple(c for c in _SPLIT.split(form.codes) if c)
    elif form.selection in ("contents", "shelves"):
        _need(form.ref, "a location or box barcode", "ref")
        query = f"{form.selection}:{form.ref.strip()}"
        if form.selection == "shelves":
            kind = "location"
    elif form.selection == "range":
        _need(form.first, "the first shelf", "first")
        _need(form.last, "the last shelf", "last")
        query, kind = f"range:{form.first.strip()}..{form.last.strip()}", "location"
    elif form.selection == "accessions":
        _need(form.since, "the first day", "since")
        span = form.since.strip() + (f"..{form.until.strip()}" if form.until else "")
        query = f"accessions:{span}"
    else:
        raise printing.SelectionError(
            f"unknown selection {form.selection!r}", reason="unknown_selection"
        )
    return printing.PrintJob(kind, form.layout, codes, query, start, lang)


def _need(value: str, what: str, field: str) -> None:
    if not value.strip():
        raise Incomplete(f"give {what}", reason=f"missing_{field}")


class Incomplete(printing.SelectionError):
    """A field the selection needs is still empty: a hint, not an error."""


class LabelsController(Controller):
    path = "/console/labels"
    include_in_schema = False
    opt = {"action": Action.PRINT_LABELS}
    request_max_body_size = PAGE_MAX_BODY

    @get("/")
    async def form(
        self,
        request: Request[Any, Any, Any],
        selection: Annotated[str, msgspec.Meta(max_length=16)] = "contents",
        ref: Short = "",
        kind: Short = "box",
    ) -> Template:
        """The form, prefilled from the links on location and box pages."""
        chosen = selection if selection in SELECTIONS else "contents"
        prefill = LabelForm(
            selection=chosen,
            ref=ref if chosen != "codes" else "",
            codes=ref if chosen == "codes" else "",
            kind=kind if kind in KINDS else "box",
            since=_today(),
        )
        return _form_page(request, prefill)

    @post("/preview", status_code=200)
    async def preview(
        self, request: Request[Any, Any, Any], data: FormBody, queries: Queries
    ) -> Template:
        """What the selection gives (HTMX fragment): labels, pages, shortened texts."""
        try:
            job = print_job(data, i18n.current())
            result = await printing.render(job, queries)
        except Incomplete as missing:
            hint = _message(missing, data)
            return page(request, "agents/_labels_summary.html", hint=hint, error="")
        except (errors.DomainError, labels.LabelError) as exc:
            error = _message(exc, data)
            return page(request, "agents/_labels_summary.html", error=error)
        return page(
            request,
            "agents/_labels_summary.html",
            result=result,
            job=job,
            error="",
            image=preview.data_url(preview.first_page_png(result.pdf)),
            shortened=[_shortened(w) for w in result.warnings],
        )

    @post("/", status_code=200)
    async def download(
        self, request: Request[Any, Any, Any], data: FormBody, queries: Queries
    ) -> Response[bytes] | Template:
        """The PDF as a download, or the form again saying what is wrong."""
        try:
            job = print_job(data, i18n.current())
            result = await printing.render(job, queries)
        except (errors.DomainError, labels.LabelError) as exc:
            return _form_page(request, data, _message(exc, data), 400)
        name = f"etiquettes-{job.kind}-{datetime.now():%Y%m%d-%H%M%S}.pdf"
        return Response(
            result.pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "X-Label-Pages": str(result.pages),
                "X-Label-Warnings": str(len(result.warnings)),
            },
        )


_CUT = re.compile(
    r"^label (\d+) \(page (\d+), slot (\d+)\): text truncated: '(.*)' -> '(.*)'$"
)


def _shortened(warning: str) -> str:
    """A renderer's warning (English, for logs) as a sentence in the page's language."""
    match = _CUT.match(warning)
    if match is None:
        return warning
    number, page_no, slot, original, printed = match.groups()
    return _(
        "Étiquette %(n)s (page %(page)s, case %(slot)s) : « %(original)s » devient « %(printed)s »"
    ) % {
        "n": number,
        "page": page_no,
        "slot": slot,
        "original": original,
        "printed": printed,
    }


def _message(exc: Exception, form: LabelForm) -> str:
    """The refusal in the page's language (the English text goes to the log)."""
    log.info("label selection refused: %s", exc)
    if isinstance(exc, labels.LayoutError):
        known = {layout.name: layout for layout in labels.layouts()}
        if form.layout not in known:
            return vocabulary.refusal("label_error:layout", form.layout)
        return vocabulary.refusal("label_error:start", str(known[form.layout].capacity))
    return vocabulary.explain(exc)


def _today() -> str:
    return datetime.now(printing.ARCHIVE_TZ).date().isoformat()


def _form_page(
    request: Request[Any, Any, Any], form: LabelForm, error: str = "", status: int = 200
) -> Template:
    return page(
        request,
        "agents/labels.html",
        status_code=status,
        form=form,
        error=error,
        selections={key: _(label) for key, label in SELECTIONS.items()},
        kinds={key: _(label) for key, label in KINDS.items()},
        layouts=[(lay.name, _layout_text(lay)) for lay in labels.layouts()],
    )


def _layout_text(layout: labels.SheetLayout) -> str:
    """``avery-l7160 — 63,5 x 38,1 mm, 21 par planche`` in the page's language."""
    size = f"{_mm(layout.label_width_mm)} x {_mm(layout.label_height_mm)} mm"
    if layout.is_roll:
        return _("%(name)s — %(size)s, rouleau") % {"name": layout.name, "size": size}
    return _("%(name)s — %(size)s, %(count)s par planche A4") % {
        "name": layout.name,
        "size": size,
        "count": layout.capacity,
    }


def _mm(value: float) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if i18n.current() == "fr" else text
