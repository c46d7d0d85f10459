"""Copies of a project made by a worker ("Salin proyek", issue 15 §2): one job for 1-50 copies."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ahsp.models.jobs import BackgroundJob

#: The most copies one job makes.
MAX_COPIES = 50

#: What a copy takes (``ahsp.loaders.project_document.PARTS``), as the copy form offers it.
PARTS = [
    ("header", _("Identitas proyek saja")),
    ("estimate", _("Estimasi (pekerjaan, analisa, harga, parameter)")),
    ("schedule", _("Estimasi dan jadwal")),
    ("progress", _("Semuanya, termasuk progres dan laporan mingguan")),
]


class ProjectCopyJob(BackgroundJob):
    """``count`` copies of ``source`` (the ``parts`` of it) named ``name`` (numbered when more than one),
    starting on ``start_date`` when given. ``report`` holds ``projects``: ``[[id, name], ...]``."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="project_copy_jobs",
        verbose_name=_("diminta oleh"),
    )
    source = models.ForeignKey(
        "ahsp.Project",
        on_delete=models.SET_NULL,
        null=True,
        related_name="copy_jobs",
        verbose_name=_("proyek sumber"),
    )
    source_name = models.CharField(_("nama proyek sumber"), max_length=255)
    parts = models.CharField(_("yang disalin"), max_length=10, choices=PARTS, default="estimate")
    name = models.CharField(_("nama salinan"), max_length=255)
    start_date = models.DateField(_("tanggal mulai salinan"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(
        _("jumlah salinan"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_COPIES)]
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    report = models.JSONField(_("laporan"), default=dict, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("salinan proyek")
        verbose_name_plural = _("salinan proyek")

    def __str__(self) -> str:
        return f"{self.source_name} x {self.count} #{self.pk}"

    @property
    def projects(self) -> list[tuple[int, str]]:
        return [tuple(row) for row in (self.report or {}).get("projects", [])]
