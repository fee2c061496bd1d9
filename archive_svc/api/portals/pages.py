"""Sign-in, sign-out, language switch and the home page."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from archive_svc.access.rules import Action
from archive_svc.api import i18n
from archive_svc.api.guards import client_address, journal
from archive_svc.api.i18n import _
from archive_svc.api.portals.common import page, safe_next
from archive_svc.api.security import ROTATE_SESSION, SESSION_IDLE_S
from archive_svc.services import people


class LoginForm(msgspec.Struct):
    login: Annotated[str, msgspec.Meta(max_length=200)] = ""
    password: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    next: Annotated[str, msgspec.Meta(max_length=500)] = "/"


class LangForm(msgspec.Struct):
    lang: Annotated[str, msgspec.Meta(max_length=8)] = "fr"
    next: Annotated[str, msgspec.Meta(max_length=500)] = "/"


FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)


class SessionController(Controller):
    include_in_schema = False

    @get("/login", opt={"public": True})
    async def login_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = "/"
    ) -> Template:
        return page(request, "login.html", next=safe_next(next), error="")

    @post("/login", opt={"public": True}, status_code=200)
    async def login(
        self,
        request: Request[Any, Any, Any],
        state: State,
        data: Annotated[LoginForm, FormBody],
    ) -> Template | Redirect:
        """Generic answer for every failure; per-account lockout, per-address throttle."""
        result = await people.sign_in(
            data.login,
            data.password,
            client_address(request),
            state.uow_factory(),
            state.clock,
            state.login_throttle,
        )
        if result.outcome == "ok" and result.person is not None:
            request.scope["state"][ROTATE_SESSION] = True
            request.set_session(
                {"pid": result.person.id, "iat": state.clock.now().timestamp()}
            )
            request.scope["state"]["who"] = (
                result.person.id,
                ",".join(sorted(result.person.roles)),
            )
            await journal(
                request, "sign_in", result.person.id, True, "login", "password_ok"
            )
            return Redirect(safe_next(data.next), status_code=303)
        request.scope["state"]["who"] = (
            data.login.strip().lower()[:64] or "anonymous",
            "",
        )
        await journal(request, "sign_in", "", False, "login", result.outcome)
        if result.outcome == "throttled":
            error = _("Trop de tentatives. Réessayez dans quelques minutes.")
            status = 429
        else:
            error = _("Identifiant ou mot de passe incorrect.")
            status = 401
        return page(
            request,
            "login.html",
            status_code=status,
            next=safe_next(data.next),
            error=error,
        )

    @post("/logout", opt={"public": True}, status_code=303)
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return Redirect("/login", status_code=303)

    @post("/lang", opt={"public": True}, status_code=303)
    async def switch_language(self, data: Annotated[LangForm, FormBody]) -> Redirect:
        lang = data.lang if data.lang in i18n.LOCALES else i18n.LOCALES[0]
        response = Redirect(safe_next(data.next), status_code=303)
        response.set_cookie(
            i18n.LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax"
        )
        return response

    @get("/", opt={"action": Action.USE_HOME})
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "home.html", idle_minutes=SESSION_IDLE_S // 60)
