"""The abstract base of the background import jobs (``ReferenceImportJob``, ``WorkbookImportJob``): the
state a worker moves through, queued -> running -> done / failed, with its timestamps and heartbeat."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackgroundJob(models.Model):
    """An uploaded workbook that a huey worker imports; the job page polls ``status`` and ``stage``.
    Each subclass adds its ``requested_by``, its ``file`` (own folder) and its result."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        RUNNING = "running", _("Sedang diimpor")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    TERMINAL_STATUSES = (Status.DONE, Status.FAILED)

    file_name = models.CharField(_("nama berkas"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("tahap"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("detak terakhir"), null=True, blank=True)
    error = models.TextField(_("pesan galat"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL_STATUSES
