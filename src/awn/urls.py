from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe: answers without touching the database."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("health", health, name="health"),
    path("api/", include("awn.channels.api.urls")),  # operator REST API and buyer API (django-ninja)
    path("webhooks/whatsapp/", include("awn.channels.whatsapp.urls")),  # Meta's Cloud API webhook
    path("", include("awn.channels.webchat.urls")),  # web chat page, widget, demo sign-in
]
