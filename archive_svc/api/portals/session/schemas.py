"""Forms of the sign-in pages."""

from typing import Annotated

import msgspec


class LoginForm(msgspec.Struct):
    login: Annotated[str, msgspec.Meta(max_length=200)] = ""
    password: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    next: Annotated[str, msgspec.Meta(max_length=500)] = "/"


class LangForm(msgspec.Struct):
    lang: Annotated[str, msgspec.Meta(max_length=8)] = "fr"
    next: Annotated[str, msgspec.Meta(max_length=500)] = "/"
