"""Forms of the sign-in pages."""

from typing import Annotated

import msgspec

from archive_svc.api.inputs import line


class LoginForm(msgspec.Struct):
    login: Annotated[str, line(200)] = ""
    password: Annotated[str, line(1000)] = ""
    next: Annotated[str, line(500)] = "/"


class LangForm(msgspec.Struct):
    lang: Annotated[str, line(8)] = "fr"
    next: Annotated[str, line(500)] = "/"
