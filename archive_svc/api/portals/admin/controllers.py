"""Administration pages: list, create, disable, re-enable people and reset passwords."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter
from litestar.response import Redirect, Template

from archive_svc.access.principals import DIVISIONS, PERSON_ROLES
from archive_svc.access.rules import Action
from archive_svc.api.portals.common import PAGE_MAX_BODY, page
from archive_svc.domain import commands, errors
from archive_svc.services import people

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


class UsersController(Controller):
    path = "/admin/users"
    include_in_schema = False
    opt = {"action": Action.MANAGE_USERS}
    request_max_body_size = PAGE_MAX_BODY

    @get("/")
    async def users(
        self,
        request: Request[Any, Any, Any],
        state: State,
        reset: Annotated[str, msgspec.Meta(max_length=64)] = "",
    ) -> Template:
        return await _listing(request, state, PersonCreate(), "", done=reset)

    @post("/", status_code=200)
    async def create(
        self,
        request: Request[Any, Any, Any],
        state: State,
        data: Annotated[PersonCreate, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        cmd = commands.CreatePerson(
            data.id, data.name, data.role, data.division, data.unit
        )
        try:
            await people.create_person(
                cmd, data.password, state.uow_factory(), state.clock
            )
        except errors.DomainError as exc:
            kept = msgspec.structs.replace(data, password="")
            return await _listing(request, state, kept, exc.message, 400)
        return Redirect("/admin/users", status_code=303)

    @post("/{person_id:str}/disable", status_code=303)
    async def disable(self, state: State, person_id: PersonId) -> Redirect:
        await people.set_active(person_id, False, state.uow_factory())
        return Redirect("/admin/users", status_code=303)

    @post("/{person_id:str}/enable", status_code=303)
    async def enable(self, state: State, person_id: PersonId) -> Redirect:
        await people.set_active(person_id, True, state.uow_factory())
        return Redirect("/admin/users", status_code=303)

    @post("/{person_id:str}/password", status_code=200)
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        state: State,
        person_id: PersonId,
        data: Annotated[
            PasswordReset, Body(media_type=RequestEncodingType.URL_ENCODED)
        ],
    ) -> Template | Redirect:
        """A new password (the person's lockout ends; their old one stops working)."""
        try:
            await people.reset_password(
                person_id, data.password, state.uow_factory(), state.clock
            )
        except errors.NotFound:
            raise
        except errors.DomainError as exc:
            message = f"{person_id}: {exc.message}"
            return await _listing(request, state, PersonCreate(), message, 400)
        return Redirect(f"/admin/users?reset={person_id}", status_code=303)


async def _listing(
    request: Request[Any, Any, Any],
    state: State,
    form: PersonCreate,
    error: str,
    status: int = 200,
    done: str = "",
) -> Template:
    return page(
        request,
        "admin/users.html",
        status_code=status,
        people=await state.queries.people(),
        form=form,
        error=error,
        reset_done=done,
        all_roles=sorted(PERSON_ROLES),
        divisions=sorted(DIVISIONS),
    )
