"""Forms and path parameters of the administration pages."""

from typing import Annotated

import msgspec
from litestar.params import PathParameter

from archive_svc.api.inputs import line

PersonId = Annotated[str, PathParameter(max_length=64, pattern=r"^[a-z0-9._-]+$")]


class PersonCreate(msgspec.Struct):
    id: Annotated[str, line(64)] = ""
    name: Annotated[str, line(200)] = ""
    role: Annotated[str, line(64)] = ""
    division: Annotated[str, line(32)] = ""
    unit: Annotated[str, line(64)] = ""
    password: Annotated[str, line(300)] = ""


class PasswordReset(msgspec.Struct):
    password: Annotated[str, line(300)] = ""


class RolesUpdate(msgspec.Struct):
    roles: Annotated[str, line(600)] = ""
    """Comma-separated role names."""
