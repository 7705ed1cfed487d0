from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "awn.marketplace"
    label = "marketplace"
    verbose_name = "Marketplace records"
