"""Frozen versions of a project's estimate (issue 15 §4): immutable, identified by the hash of their
document, stored as content-addressed chunks so that storage grows with what changed between versions,
not with their number (``ahsp.services.versions``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionChunk(models.Model):
    """A piece of a project document (the header, a group of resources or analyses, one top-level section
    with everything below it) as zlib-compressed canonical JSON, keyed by the SHA-256 of that JSON: two
    versions that share a piece store it once."""

    digest = models.CharField(max_length=64, primary_key=True)
    data = models.BinaryField()
    size = models.PositiveIntegerField()  # bytes before compression

    def __str__(self) -> str:
        return self.digest[:12]


class ProjectVersion(models.Model):
    """ "Bekukan versi": the whole project document at one moment, under a name ("HPS diajukan")."""

    project = models.ForeignKey("ahsp.Project", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("nomor"))
    name = models.CharField(_("nama versi"), max_length=120)
    note = models.TextField(_("catatan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dibekukan oleh")
    )
    created_at = models.DateTimeField(_("dibekukan pada"), auto_now_add=True)
    content_hash = models.CharField(_("sidik isi (SHA-256)"), max_length=64)
    manifest = (
        models.JSONField()
    )  # {"head": digest, "resources": [...], "analyses": [...], "sections": [...]}
    item_count = models.PositiveIntegerField(default=0)
    rounded_total = models.DecimalField(max_digits=22, decimal_places=2)
    # The read-only project the version is opened as (made on demand, dropped when not used for a while).
    snapshot = models.OneToOneField(
        "ahsp.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="frozen_version"
    )
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="version_project_number_uniq")
        ]
        verbose_name = _("versi beku")
        verbose_name_plural = _("versi beku")

    def __str__(self) -> str:
        return f"{self.name} (#{self.short_hash})"

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]
