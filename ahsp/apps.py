from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AhspConfig(AppConfig):
    name = "ahsp"
    verbose_name = _("AHSP")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        # The huey tasks bind themselves to the job kinds the services enqueue (ahsp.services.jobs):
        # importing them here, in every process, is what lets a service enqueue without importing tasks.
        import ahsp.tasks  # noqa: F401
        from project.auth_backends import forget

        user_model = get_user_model()
        post_save.connect(forget, sender=user_model, dispatch_uid="auth-cache-forget-save")
        post_delete.connect(forget, sender=user_model, dispatch_uid="auth-cache-forget-delete")
