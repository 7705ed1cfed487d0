from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "awn.core"
    label = "core"
    verbose_name = "Awn core"
