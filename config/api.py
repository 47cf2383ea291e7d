"""The REST API under /api/v1/: one NinjaAPI assembling each app's router."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from chumchon.accounts.api import router as accounts_router
from chumchon.accounts.api_auth import token_or_session
from chumchon.budgets.api import router as budgets_router
from chumchon.committees.api import router as committees_router
from chumchon.communities.api import router as communities_router
from chumchon.communities.api_imports import router as imports_router
from chumchon.core.api import ThaiJSONRenderer, install_error_handlers
from chumchon.foodbank.api import router as foodbank_router
from chumchon.funds.api import router as funds_router
from chumchon.organizations.api import router as organizations_router
from chumchon.portal.api import router as portal_router

api = NinjaAPI(
    title="Chumchon API",
    version="1",
    description=(
        "ชุมชน: ระบบสารสนเทศงานพัฒนาชุมชนและสวัสดิการสังคม / Chumchon: community development and "
        "social welfare. Authenticate with the session or `Authorization: Bearer <token>` "
        "(create a token on your profile page). Dates are ISO (CE); money, kilograms and "
        "percentages are strings with fixed decimals."
    ),
    urls_namespace="api",
    auth=token_or_session,
    renderer=ThaiJSONRenderer(),
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("", organizations_router)
api.add_router("", accounts_router)
api.add_router("", portal_router)
api.add_router("", communities_router)
api.add_router("", imports_router)
api.add_router("", committees_router)
api.add_router("", budgets_router)
api.add_router("", funds_router)
api.add_router("", foodbank_router)
