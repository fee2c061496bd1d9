"""Administration pages: list, create, disable, re-enable people and reset passwords."""

import logging
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from archive_svc.access.principals import DIVISIONS, PERSON_ROLES
from archive_svc.access.rules import Action
from archive_svc.api import vocabulary
from archive_svc.api.auth import Caller, caller_of
from archive_svc.api.i18n import _
from archive_svc.api.portals.admin.schemas import (
    PasswordReset,
    PersonCreate,
    PersonId,
    RolesUpdate,
)
from archive_svc.api.portals.common import PAGE_MAX_BODY, error_message, page
from archive_svc.domain import commands, errors
from archive_svc.services import people, ports, registry
from archive_svc.services.ports import AbstractUnitOfWork, Clock

log = logging.getLogger(__name__)
UnitOfWork = NamedDependency[AbstractUnitOfWork]
Queries = NamedDependency[ports.Queries]
CallerDep = NamedDependency[Caller]


def _admin(caller: Caller) -> people.Administrator:
    return people.Administrator(caller.id, caller.role_list)


class UsersController(Controller):
    path = "/admin/users"
    include_in_schema = False
    opt = {"action": Action.MANAGE_USERS}
    request_max_body_size = PAGE_MAX_BODY

    @get("/")
    async def users(
        self,
        request: Request[Any, Any, Any],
        queries: Queries,
        reset: Annotated[str, msgspec.Meta(max_length=64)] = "",
    ) -> Template:
        return await _listing(request, queries, PersonCreate(), "", done=reset)

    @post("/", status_code=200)
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[PersonCreate],
        uow: UnitOfWork,
        clock: NamedDependency[Clock],
        queries: Queries,
        caller: CallerDep,
    ) -> Template | Redirect:
        cmd = commands.CreatePerson(
            data.id, data.name, data.role, data.division, data.unit
        )
        try:
            await people.create_person(cmd, data.password, uow, clock, _admin(caller))
        except errors.DomainError as exc:
            kept = msgspec.structs.replace(data, password="")
            return await _listing(request, queries, kept, _person_refusal(exc), 400)
        return Redirect("/admin/users", status_code=303)

    @post("/{person_id:str}/disable", status_code=200)
    async def disable(
        self,
        request: Request[Any, Any, Any],
        person_id: PersonId,
        uow: UnitOfWork,
        queries: Queries,
        caller: CallerDep,
    ) -> Template | Redirect:
        """Anyone but oneself and the system account (nobody could undo it)."""
        if person_id in undisablable(caller):
            message = _(
                "Vous ne pouvez pas désactiver votre propre compte ni le compte système."
            )
            return await _listing(request, queries, PersonCreate(), message, 403)
        await people.set_active(person_id, False, uow, _admin(caller))
        return Redirect("/admin/users", status_code=303)

    @post("/{person_id:str}/enable", status_code=303)
    async def enable(
        self, person_id: PersonId, uow: UnitOfWork, caller: CallerDep
    ) -> Redirect:
        await people.set_active(person_id, True, uow, _admin(caller))
        return Redirect("/admin/users", status_code=303)

    @post("/{person_id:str}/roles", status_code=303)
    async def set_roles(
        self,
        person_id: PersonId,
        data: URLEncodedBody[RolesUpdate],
        uow: UnitOfWork,
        clock: NamedDependency[Clock],
        caller: CallerDep,
    ) -> Redirect:
        """Replace a person's roles (never one's own; journaled role by role)."""
        await people.set_roles(person_id, data.roles, uow, clock, _admin(caller))
        return Redirect("/admin/users", status_code=303)

    @post("/{person_id:str}/password", status_code=200)
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        person_id: PersonId,
        data: URLEncodedBody[PasswordReset],
        uow: UnitOfWork,
        clock: NamedDependency[Clock],
        queries: Queries,
    ) -> Template | Redirect:
        """A new password (the person's lockout ends; their old one stops working)."""
        try:
            await people.reset_password(person_id, data.password, uow, clock)
        except (errors.NotFound, errors.AccessDenied):
            raise
        except errors.DomainError as exc:
            message = f"{person_id}: {_person_refusal(exc)}"
            return await _listing(request, queries, PersonCreate(), message, 400)
        return Redirect(f"/admin/users?reset={person_id}", status_code=303)


async def _listing(
    request: Request[Any, Any, Any],
    queries: ports.Queries,
    form: PersonCreate,
    error: str,
    status: int = 200,
    done: str = "",
) -> Template:
    return page(
        request,
        "admin/users.html",
        status_code=status,
        people=await queries.people(),
        form=form,
        error=error,
        reset_done=done,
        all_roles=sorted(
            ((r, vocabulary.label("role", r)) for r in PERSON_ROLES),
            key=lambda pair: pair[1],
        ),
        divisions=[(d, vocabulary.label("division", d)) for d in sorted(DIVISIONS)],
        keep_active=undisablable(caller_of(request)),
    )


def _person_refusal(exc: errors.DomainError) -> str:
    """Why a person or password was refused, in the page's language."""
    log.info("person form refused: %s", exc.message)
    if isinstance(exc, errors.WeakPassword):
        return error_message(exc)
    return vocabulary.explain(exc)


def undisablable(caller: Caller | None) -> frozenset[str]:
    """Accounts the administrator may not disable: their own and the system's."""
    return frozenset({registry.SYSTEM_PRINCIPAL} | ({caller.id} if caller else set()))
