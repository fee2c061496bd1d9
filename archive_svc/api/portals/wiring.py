"""Everything the pages add to the app: routes, templates, static files, sessions, CSRF."""

from importlib.util import find_spec
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar.datastructures import CacheControlHeader
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.router import Router
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from archive_svc.api import i18n, journal, security, vocabulary
from archive_svc.api.portals.admin.controllers import UsersController
from archive_svc.api.portals.agents.controllers import ConsoleController
from archive_svc.api.portals.agents.labels import LabelsController
from archive_svc.api.portals.agents.record import RecordController
from archive_svc.api.portals.common import PAGE_EXCEPTION_HANDLERS, PAGE_MAX_BODY
from archive_svc.api.portals.session.controllers import SessionController
from archive_svc.api.portals.supervision.controllers import JournalController

API_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = API_DIR / "templates"
STATIC = API_DIR / "static"
SWAGGER_URL = "/static/swagger"
"""Swagger UI's script and style, from the ``swagger-ui-py`` package (offline).

It ships Swagger UI 5, which reads our OpenAPI 3.1 document; ``swagger-ui-bundle``
ships 4.15, which refuses 3.1 ("Unable to render this definition")."""


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals["current_locale"] = i18n.current
    env.filters["dt"] = i18n.format_dt
    env.filters["day"] = i18n.format_day
    env.filters["ago"] = i18n.format_ago
    env.filters["duration"] = i18n.format_duration
    env.filters["number"] = i18n.format_number
    env.filters["place"] = vocabulary.place
    env.filters["refusal"] = vocabulary.refusal
    env.filters["scan_refusal"] = vocabulary.scan_refusal
    env.filters["rule_phrase"] = vocabulary.rule
    for table in vocabulary.TABLES:
        env.filters[table] = _labeller(table)
    return env


def _labeller(table: str) -> Any:
    def name(code: str | None) -> str:
        return vocabulary.label(table, code)

    return name


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(_environment()))


def page_router() -> Router:
    return Router(
        path="/",
        route_handlers=[
            SessionController,
            ConsoleController,
            RecordController,
            LabelsController,
            UsersController,
            JournalController,
        ],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        request_max_body_size=PAGE_MAX_BODY,
    )


def static_router() -> Router:
    return create_static_files_router(
        path="/static",
        directories=[STATIC],
        opt={"public": True},
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=3600, private=True),
    )


def _swagger_assets() -> Path:
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: the API docs need it")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def swagger_router() -> Router:
    return create_static_files_router(
        path=SWAGGER_URL,
        directories=[_swagger_assets()],
        opt={"public": True},
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=86400, private=True),
    )


def app_kwargs(web: security.WebSecurity, ui_locale: str) -> dict[str, Any]:
    """Keyword arguments for ``Litestar(...)`` that the pages need."""
    return {
        "template_config": template_config(),
        "plugins": [HTMXPlugin()],
        "csrf_config": security.csrf_config(web),
        "stores": {"sessions": security.session_store(web)},
        "middleware": [
            security.session_config(web).middleware,
            i18n.LocaleMiddleware(ui_locale),
        ],
        "before_send": [journal.flush_journal, security.security_headers(web)],
    }
