"""Forms and path parameters of the agents' console and label printing."""

from typing import Annotated

import msgspec
from litestar.params import PathParameter

from archive_svc.api.inputs import line, text

Ref = Annotated[str, PathParameter(max_length=128, pattern=r"^[A-Za-z0-9:_\-. ]+$")]
"""A barcode or location code in a console path."""
Short = Annotated[str, line(64)]


class RecordForm(msgspec.Struct):
    item: Annotated[str, line(64)] = ""
    kind: Annotated[str, line(40)] = "verify"
    to: Annotated[str, line(120)] = ""
    reason: Annotated[str, text(500)] = ""
    event_id: Annotated[str, line(64)] = ""


class LabelForm(msgspec.Struct):
    """What to print: a selection, a label kind, a sheet layout, a first slot."""

    selection: Short = "contents"
    ref: Short = ""
    first: Short = ""
    last: Short = ""
    since: Short = ""
    until: Short = ""
    codes: Annotated[str, text(40_000)] = ""
    kind: Short = "box"
    layout: Short = "avery-l7160"
    start: Short = "1"
