"""Root URL configuration: each app brings its own namespaced URLs."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("", include("tracker.urls")),
]
