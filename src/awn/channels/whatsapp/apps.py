from django.apps import AppConfig


class WhatsappConfig(AppConfig):
    name = "awn.channels.whatsapp"
    label = "whatsapp"
