"""Survey HTTP API: thin; every decision is in the application and domain, every route's
authorization in its declared policy."""

from services.survey.api.deps import RESOLVERS
from services.survey.api.public import router as public_router
from services.survey.api.questionnaires import router as questionnaire_router
from services.survey.api.templates import router as template_router
from services.survey.api.uploads import router as upload_router
from services.survey.api.waves import router as wave_router

ROUTERS = (wave_router, questionnaire_router, upload_router, template_router, public_router)

__all__ = ["RESOLVERS", "ROUTERS"]
