"""Forms and path parameters of the administration pages."""

from typing import Annotated

import msgspec
from litestar.params import PathParameter

PersonId = Annotated[str, PathParameter(max_length=64, pattern=r"^[a-z0-9._-]+$")]


class PersonCreate(msgspec.Struct):
    id: Annotated[str, msgspec.Meta(max_length=64)] = ""
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    role: Annotated[str, msgspec.Meta(max_length=64)] = ""
    division: Annotated[str, msgspec.Meta(max_length=32)] = ""
    unit: Annotated[str, msgspec.Meta(max_length=64)] = ""
    password: Annotated[str, msgspec.Meta(max_length=300)] = ""


class PasswordReset(msgspec.Struct):
    password: Annotated[str, msgspec.Meta(max_length=300)] = ""


class RolesUpdate(msgspec.Struct):
    roles: Annotated[str, msgspec.Meta(max_length=600)] = ""
    """Comma-separated role names."""
