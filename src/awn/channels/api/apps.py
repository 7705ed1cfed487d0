from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "awn.channels.api"
    label = "api"
