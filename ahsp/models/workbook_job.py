"""Workbook import jobs: a project or price workbook uploaded in the web request and imported by a huey
task (``ahsp.services.workbook_imports``), like the reference library's ``ReferenceImportJob``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ahsp.models.jobs import ImportJob


class WorkbookImportJob(ImportJob):
    """An uploaded workbook waiting for, or imported by, a worker; the job page polls its status.

    The upload stays in the default storage only until the worker has run. ``report`` holds what the
    import said (``problems``, ``warnings``, ``notes``, ``counts``, ``summary``); ``project`` is the
    project whose prices are imported, or the project a project import created (null until then).
    """

    class Kind(models.TextChoices):
        PROJECT = "project", _("Impor proyek")
        PRICES = "prices", _("Impor harga")
        BACKUP = "backup", _("Pulihkan cadangan")

    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="workbook_import_jobs",
        verbose_name=_("diminta oleh"),
    )
    project = models.ForeignKey(
        "ahsp.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workbook_import_jobs",
        verbose_name=_("proyek"),
    )
    file = models.FileField(_("berkas"), upload_to="workbook-imports/", max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    report = models.JSONField(_("laporan"), default=dict, blank=True)

    class Meta(ImportJob.Meta):
        verbose_name = _("impor buku kerja")
        verbose_name_plural = _("impor buku kerja")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind}) #{self.pk}"
