"""Query parameters of the access-journal pages (the filter form is a GET)."""

from datetime import date
from typing import Annotated

import msgspec
from litestar.params import FromQuery

from archive_svc.api import inputs

Text = Annotated[str, FromQuery, msgspec.Meta(max_length=100)]
Day = Annotated[date | None, FromQuery]
PageNo = inputs.PageNo
