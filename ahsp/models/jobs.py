"""The abstract base of the background jobs (``ExportJob``, ``ReferenceImportJob``, ``WorkbookImportJob``):
the state a worker moves through, queued -> running -> done / failed, with its timestamps and heartbeat,
which ``ahsp.services.jobs`` claims, heartbeats, finishes and sweeps the same way for every kind."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackgroundJob(models.Model):
    """Work a huey worker does for a user; the job page polls ``status`` and ``stage``. Each subclass
    adds its ``requested_by``, its ``file`` (own folder), its result and, if it can be rerun, ``attempts``."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        RUNNING = "running", _("Sedang diimpor")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    TERMINAL_STATUSES = (Status.DONE, Status.FAILED)

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


class ImportJob(BackgroundJob):
    """An uploaded workbook that a worker imports; ``file_name`` is the name it was uploaded with."""

    file_name = models.CharField(_("nama berkas"), max_length=255)

    class Meta(BackgroundJob.Meta):
        abstract = True
