from django.apps import AppConfig


class WhatsappConfig(AppConfig):
    name = "awn.channels.whatsapp"
    label = "whatsapp"
    verbose_name = "WhatsApp"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from awn.channels.whatsapp import tasks
        from awn.channels.whatsapp.models import Account
        from awn.core.tasks import register_task
        from awn.helpdesk.services import register_sender

        register_sender("whatsapp", tasks.send_message)
        register_task("whatsapp.inbound", tasks.inbound)
        register_task("whatsapp.outbound", tasks.outbound)
        post_save.connect(tasks.account_saved, sender=Account, dispatch_uid="whatsapp.account_saved")
