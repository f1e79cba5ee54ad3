from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import accounts.urls  # noqa: F401 - each app's urls module registers its viewsets on the router
import checklists.urls  # noqa: F401
import dashboard.urls  # noqa: F401
import integrations.urls  # noqa: F401
import labels.urls  # noqa: F401
import notifications.urls  # noqa: F401
import projects.urls  # noqa: F401
import tasks.urls  # noqa: F401
from accounts.admin_login import admin_login
from config.api import views as api_views
from config.api.health import healthz, readyz
from config.api.router import router
from config.api.schema import SchemaFormatNegotiation

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    re_path(
        r"^api/schema/?$",
        SpectacularAPIView.as_view(content_negotiation_class=SchemaFormatNegotiation),
        name="schema",
    ),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/", include(router.urls)),
    re_path(r"^api/", api_views.not_found),
    # Before the admin's own URLs: the login page, throttled like the API login.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler400 = api_views.bad_request
handler404 = api_views.not_found
handler500 = api_views.server_error
