from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AhspConfig(AppConfig):
    name = "ahsp"
    verbose_name = _("AHSP")
