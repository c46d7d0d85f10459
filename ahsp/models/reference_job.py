"""Reference-library import jobs: one record per uploaded workbook, imported in the background by a huey
task (``ahsp.services.reference_imports``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ahsp.models.jobs import ImportJob


class ReferenceImportJob(ImportJob):
    """An uploaded SNI workbook waiting for, or imported by, a worker; the upload page polls its status.

    The uploaded file is kept in the default storage only until the worker has run; ``result`` links the
    ``ReferenceImport`` record (counts and review report) once the import has committed.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reference_import_jobs",
        verbose_name=_("diminta oleh"),
    )
    source = models.CharField(_("sumber / edisi"), max_length=60)
    file = models.FileField(_("berkas"), upload_to="reference-imports/", max_length=255, blank=True)
    result = models.OneToOneField(
        "ahsp.ReferenceImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job",
        verbose_name=_("hasil impor"),
    )

    class Meta(ImportJob.Meta):
        verbose_name = _("impor referensi")
        verbose_name_plural = _("impor referensi")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source}) #{self.pk}"
