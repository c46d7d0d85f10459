"""Reference-library import jobs: one record per uploaded workbook, imported in the background by a huey
task (``ahsp.services.reference_imports``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferenceImportJob(models.Model):
    """An uploaded SNI workbook waiting for, or imported by, a worker; the upload page polls its status.

    The uploaded file is kept in the default storage only until the worker has run; ``result`` links the
    ``ReferenceImport`` record (counts and review report) once the import has committed.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        RUNNING = "running", _("Sedang diimpor")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    TERMINAL_STATUSES = (Status.DONE, Status.FAILED)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reference_import_jobs",
        verbose_name=_("diminta oleh"),
    )
    source = models.CharField(_("sumber / edisi"), max_length=60)
    file_name = models.CharField(_("nama berkas"), max_length=255)
    file = models.FileField(_("berkas"), upload_to="reference-imports/", max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("tahap"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("detak terakhir"), null=True, blank=True)
    error = models.TextField(_("pesan galat"), blank=True)
    result = models.OneToOneField(
        "ahsp.ReferenceImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job",
        verbose_name=_("hasil impor"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("impor referensi")
        verbose_name_plural = _("impor referensi")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source}) #{self.pk}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL_STATUSES
