from django.apps import AppConfig


class WebchatConfig(AppConfig):
    name = "awn.channels.webchat"
    label = "webchat"
