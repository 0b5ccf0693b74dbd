"""The application factory: one place where the web app is put together."""

from pathlib import Path

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from grants import db
from grants.accounts.users import purge_expired
from grants.controllers.accounts_pages import AccountsPages
from grants.controllers.claim_schedule_api import ClaimScheduleApi
from grants.controllers.claims_api import ClaimsApi
from grants.controllers.claims_pages import ClaimsPages
from grants.controllers.favicon import favicon
from grants.controllers.finance_api import FinanceApi
from grants.controllers.finance_pages import ClaimSchedulePages, FinancePages
from grants.controllers.modifications_api import ModificationsApi
from grants.controllers.modifications_pages import ModificationsPages
from grants.controllers.procurement_api import ProcurementApi
from grants.controllers.procurement_pages import ProcurementPages
from grants.controllers.projects_api import PeriodsApi, ProjectsApi
from grants.controllers.projects_pages import ProjectsPages
from grants.controllers.register_api import RegisterApi
from grants.controllers.register_pages import RegisterPages
from grants.controllers.reports_api import ClaimDocumentApi, PortfolioReportApi, ReportsApi
from grants.controllers.reports_pages import ReportsPages
from grants.controllers.results_api import ResultsApi
from grants.controllers.results_pages import ResultsPages
from grants.controllers.staff_api import StaffApi
from grants.controllers.staff_pages import StaffPages
from grants.core import i18n
from grants.core.access import AccessDenied
from grants.core.errors import NotFound, Refused
from grants.settings import Settings
from grants.web import (
    CSRF_COOKIE,
    access_denied_handler,
    before_request,
    domain_not_found_handler,
    http_error_handler,
    not_authorized_handler,
    not_found_handler,
    provide_principal,
    refused_handler,
    server_error_handler,
    undecodable_handler,
    validation_handler,
)
from grants.web.headers import security_headers
from grants.web.refusals import declare_refusals
from grants.web.sessions import DatabaseSessionConfig

HERE = Path(__file__).parent
SESSION_HOURS = 10


def _template_globals(engine: JinjaTemplateEngine) -> None:
    engine.engine.globals.update(i18n.template_globals())


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Litestar:
    """Build the app. Pass `engine` to share one that is already connected (tests do)."""
    settings = settings or Settings.from_env()
    owns_engine = engine is None
    engine = engine or db.engine_from_url(settings.database_url)
    db.use_engine(engine)
    pooled = owns_engine and isinstance(engine, PostgresEngine)

    async def on_startup() -> None:
        if pooled:
            await db.start_pool(engine)
        await db.ensure_ready()
        await purge_expired()

    async def on_shutdown() -> None:
        if owns_engine:
            await db.close_connections(engine)

    app = Litestar(
        route_handlers=[
            ProjectsPages,
            FinancePages,
            ClaimSchedulePages,
            ClaimsPages,
            ModificationsPages,
            ModificationsApi,
            RegisterPages,
            ResultsPages,
            ReportsPages,
            AccountsPages,
            ProjectsApi,
            PeriodsApi,
            FinanceApi,
            ClaimScheduleApi,
            ClaimsApi,
            RegisterApi,
            ResultsApi,
            ReportsApi,
            PortfolioReportApi,
            ClaimDocumentApi,
            StaffPages,
            StaffApi,
            ProcurementPages,
            ProcurementApi,
            create_static_files_router(path="/static", directories=[HERE / "static"]),
            favicon,
        ],
        dependencies={"principal": Provide(provide_principal)},
        before_request=before_request,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        before_send=[security_headers],
        state=State({"settings": settings}),
        middleware=[
            DatabaseSessionConfig(
                max_age=SESSION_HOURS * 3600,
                samesite="lax",
                httponly=True,
                secure=settings.secure_cookies,
                # the API takes bearer tokens only, never a session; files need none
                exclude=["^/api/", "^/static/", "^/favicon"],
            ).middleware
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=CSRF_COOKIE,
            cookie_httponly=True,  # pages carry the token themselves (hx-headers, forms)
            cookie_secure=settings.secure_cookies,
            header_name="x-csrftoken",
            exclude=["^/api/"],  # the API takes bearer tokens only, never cookies
        ),
        template_config=TemplateConfig(
            directory=HERE / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=_template_globals,
        ),
        openapi_config=OpenAPIConfig(
            title="grants API",
            version="1",
            path="/schema",
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"bearer": []}],
        ),
        exception_handlers={
            NotAuthorizedException: not_authorized_handler,
            NotFoundException: not_found_handler,
            AccessDenied: access_denied_handler,
            Refused: refused_handler,
            NotFound: domain_not_found_handler,
            ValidationException: validation_handler,
            UnicodeDecodeError: undecodable_handler,
            HTTPException: http_error_handler,
            Exception: server_error_handler,
        },
        debug=settings.debug,
    )
    declare_refusals(app)
    return app
