from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "awn.cases"
    label = "cases"
    verbose_name = "Cases: disputes, returns, refunds, cancellations"
