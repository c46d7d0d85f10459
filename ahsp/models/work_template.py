"""Templates of work (templat pekerjaan, issue 15 §3): a section with its sub-sections and items, or a
whole work breakdown, with the analyses and resources they use, saved to be inserted into other projects.
The ``document`` is the project document's family (``format: "ahsp-template"``, ``ahsp.services.work_templates``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkTemplate(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="work_templates",
        verbose_name=_("pemilik"),
    )
    shared = models.BooleanField(_("dibagikan ke semua pengguna"), default=False)
    name = models.CharField(_("nama templat"), max_length=120)
    description = models.TextField(_("keterangan"), blank=True)
    document = models.JSONField()
    item_count = models.PositiveIntegerField(default=0)
    with_volumes = models.BooleanField(_("dengan volume"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("templat pekerjaan")
        verbose_name_plural = _("templat pekerjaan")

    def __str__(self) -> str:
        return self.name
