"""URL configuration: pages per app, the REST API under /api/, OpenAPI docs."""

from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from anpai.people.urls import auth_patterns
from anpai.risks.card_views import public_point

urlpatterns = [
    path("", include("anpai.core.urls")),
    path("", include("anpai.people.urls")),
    *auth_patterns,
    path("orgs/", include("anpai.orgs.urls")),
    path("audit/", include("anpai.audit.urls")),
    path("hazards/", include("anpai.hazards.urls")),
    path("standards/", include("anpai.standards.urls")),
    path("inspections/", include("anpai.inspections.urls")),
    path("risks/", include("anpai.risks.urls")),
    path("permits/", include("anpai.permits.urls")),
    path("enforcement/", include("anpai.enforcement.urls")),
    path("responsibility/", include("anpai.responsibility.urls")),
    # Leaders' lists and enterprise responsibility share /responsibility/ (one nav section).
    path("responsibility/", include("anpai.enterprise.urls")),
    # The public page a risk notification card's QR code opens (no login).
    path("r/<str:token>/", public_point, name="risk_public"),
    path("jobs/", include("anpai.jobs.urls")),
    path("notifications/", include("anpai.notifications.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", include("anpai.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline <script> anywhere.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
