"""Query parameters of the access-journal pages (the filter form is a GET)."""

from datetime import date
from typing import Annotated

import msgspec
from litestar.params import FromQuery

Text = Annotated[str, FromQuery, msgspec.Meta(max_length=100)]
Day = Annotated[date | None, FromQuery]
PageNo = Annotated[int, FromQuery, msgspec.Meta(ge=1, le=100_000)]
