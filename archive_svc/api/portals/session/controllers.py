"""Sign-in, sign-out, language switch and the home page."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from archive_svc.access.principals import Role
from archive_svc.access.rules import Action
from archive_svc.api import i18n
from archive_svc.api.auth import Caller, WebSession, client_address
from archive_svc.api.i18n import _
from archive_svc.api.journal import RequestJournal
from archive_svc.api.portals.common import page, safe_next
from archive_svc.api.portals.session.schemas import LangForm, LoginForm
from archive_svc.api.security import SESSION_IDLE_S
from archive_svc.services import people
from archive_svc.services.ports import AbstractUnitOfWork, Clock

LANDINGS = (
    (Role.ARCHIVE_AGENT, "/console/"),
    (Role.ARCHIVE_MANAGER, "/journal/"),
    (Role.DPO_AUDITOR, "/journal/"),
    (Role.ADMINISTRATOR, "/admin/users/"),
)


def landing_page(roles: frozenset[str]) -> str | None:
    for role, path in LANDINGS:
        if role in roles:
            return path
    return None


class SessionController(Controller):
    include_in_schema = False

    @get("/login", opt={"public": True})
    async def login_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = "/"
    ) -> Template:
        return page(request, "session/login.html", next=safe_next(next), error="")

    @post("/login", opt={"public": True}, status_code=200)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[LoginForm],
        uow: NamedDependency[AbstractUnitOfWork],
        clock: NamedDependency[Clock],
        login_throttle: NamedDependency[people.AddressThrottle],
        web_session: NamedDependency[WebSession],
        journal: NamedDependency[RequestJournal],
    ) -> Template | Redirect:
        """Generic answer for every failure; per-account lockout, per-address throttle."""
        result = await people.sign_in(
            data.login,
            data.password,
            client_address(request),
            uow,
            clock,
            login_throttle,
        )
        if result.outcome == "ok" and result.person is not None:
            web_session.begin(result.person, clock.now())
            await journal.record(
                "sign_in", result.person.id, True, "login", "password_ok"
            )
            return Redirect(safe_next(data.next), status_code=303)
        await journal.record(
            "sign_in", "", False, "login", result.outcome, claimed=result.account
        )
        if result.outcome == "throttled":
            error = _("Trop de tentatives. Réessayez dans quelques minutes.")
            status = 429
        else:
            error = _("Identifiant ou mot de passe incorrect.")
            status = 401
        return page(
            request,
            "session/login.html",
            status_code=status,
            next=safe_next(data.next),
            error=error,
        )

    @post("/logout", opt={"public": True}, status_code=303)
    async def logout(self, web_session: NamedDependency[WebSession]) -> Redirect:
        web_session.end()
        return Redirect("/login", status_code=303)

    @post("/lang", opt={"public": True}, status_code=303)
    async def switch_language(self, data: URLEncodedBody[LangForm]) -> Redirect:
        lang = data.lang if data.lang in i18n.LOCALES else i18n.LOCALES[0]
        response = Redirect(safe_next(data.next), status_code=303)
        response.set_cookie(
            i18n.LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax"
        )
        return response

    @get("/", opt={"action": Action.USE_HOME})
    async def home(
        self, request: Request[Any, Any, Any], caller: NamedDependency[Caller]
    ) -> Template | Redirect:
        """Each person lands on the page of their work: the console for archive
        agents, the journal for managers and auditors, people for administrators."""
        landing = landing_page(caller.roles)
        if landing is not None:
            return Redirect(landing, status_code=303)
        return page(request, "session/home.html", idle_minutes=SESSION_IDLE_S // 60)
