"""Root URL configuration: each app brings its own namespaced URLs; the staff admin is at /staff/."""

from django.urls import include, path

import accounts.admin  # noqa: F401  (registers the accounts on the staff site)
import tracker.admin  # noqa: F401  (registers the catalogue and the audit trail)
from config.staff import staff_site

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("staff/", staff_site.urls),
    path("", include("tracker.urls")),
]
