from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "awn.helpdesk"
    label = "helpdesk"
    verbose_name = "Conversations and handoffs"
