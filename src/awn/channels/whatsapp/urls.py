from django.urls import URLPattern, URLResolver, path

from awn.channels.whatsapp import views

app_name = "whatsapp"
urlpatterns: list[URLPattern | URLResolver] = [path("", views.webhook, name="webhook")]
