"""Export jobs: one record per requested document file, built in the background by a huey task; the
state, timestamps and heartbeat are those of every background job (``BackgroundJob``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ahsp.models.jobs import BackgroundJob


class ExportJob(BackgroundJob):
    """A document file built by a worker; the UI polls its status and progress."""

    class Document(models.TextChoices):
        RAB = "rab", _("RAB (rencana anggaran biaya)")
        AHSP = "ahsp", _("Rincian analisa harga satuan (AHSP)")
        HARGA = "harga", _("Harga satuan dasar")
        PROYEK = "proyek", _("Buku kerja proyek (untuk diimpor kembali)")
        JADWAL = "jadwal", _("Jadwal pelaksanaan")
        KURVA_S = "kurva-s", _("Kurva S dan nilai hasil")
        KEBUTUHAN = "kebutuhan", _("Rekap kebutuhan sumber daya")
        CADANGAN = "cadangan", _("Cadangan proyek lengkap (untuk dipulihkan atau disalin)")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"
        JSON = "json", "JSON"

    # The base's states, with the running one labelled for building a file rather than importing one.
    class Status(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        RUNNING = "running", _("Sedang dibuat")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    TERMINAL_STATUSES = (Status.DONE, Status.FAILED)

    project = models.ForeignKey(
        "ahsp.Project", on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("proyek")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="export_jobs",
        verbose_name=_("diminta oleh"),
    )
    document = models.CharField(_("dokumen"), max_length=20, choices=Document.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    parameters = models.JSONField(_("parameter"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(_("selesai"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    file = models.FileField(_("berkas"), upload_to="exports/", max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)  # runs started (claims)
    # The project's content_version the file was built from (None: it changed during the build); a later
    # job of the same document on the same day and version gets a copy of this file instead of a build.
    content_version = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta(BackgroundJob.Meta):
        indexes = [models.Index(fields=["project", "status"], name="export_project_status_idx")]
        verbose_name = _("ekspor")
        verbose_name_plural = _("ekspor")

    def __str__(self) -> str:
        return f"{self.get_document_display()} ({self.get_format_display()}) #{self.pk}"

    @property
    def percent(self) -> int:
        """0-100; a finished job is 100 whatever its counters say."""
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))
