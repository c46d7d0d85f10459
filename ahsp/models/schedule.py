"""The schedule (jadwal pelaksanaan): stages, the planned distribution of each work item over the
project's weeks, actual progress per week, and the weekly report (cut-off date, actual cost).

Weeks are 1-based numbers (minggu ke-1 .. ke-N, N = ``Project.duration_weeks``); their dates follow from
``Project.start_date``. Shares are % of the work item (4 decimals); the calculations are in
``ahsp.calculations.schedule``, the writes in ``ahsp.services.schedule``.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

SHARE = {"max_digits": 7, "decimal_places": 4}


class Stage(models.Model):
    """Tahapan: a named phase of the project (e.g. "Persiapan", "Struktur") with a date range."""

    project = models.ForeignKey("ahsp.Project", on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("nama tahapan"), max_length=200)
    position = models.PositiveIntegerField(default=0)
    start_date = models.DateField(_("tanggal mulai"), null=True, blank=True)
    end_date = models.DateField(_("tanggal selesai"), null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["project", "position"], name="stage_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="stage_dates_ordered",
                violation_error_message=_("Tanggal selesai tahapan tidak boleh sebelum tanggal mulai."),
            )
        ]
        verbose_name = _("tahapan")
        verbose_name_plural = _("tahapan")

    def __str__(self) -> str:
        return self.name


class PlannedShare(models.Model):
    """Rencana: the % of a work item planned in one week. An item's shares sum to 100."""

    work_item = models.ForeignKey("ahsp.WorkItem", on_delete=models.CASCADE, related_name="planned_shares")
    week = models.PositiveSmallIntegerField(_("minggu ke"), validators=[MinValueValidator(1)])
    share = models.DecimalField(
        _("rencana (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)], **SHARE
    )

    class Meta:
        ordering = ["week"]
        constraints = [
            models.UniqueConstraint(fields=["work_item", "week"], name="planned_share_unique_week")
        ]

    def __str__(self) -> str:
        return f"{self.work_item_id} minggu ke-{self.week}: {self.share} %"


class ProgressEntry(models.Model):
    """Realisasi: the % of a work item done in one week. An item's entries sum to at most 100."""

    work_item = models.ForeignKey("ahsp.WorkItem", on_delete=models.CASCADE, related_name="progress_entries")
    week = models.PositiveSmallIntegerField(_("minggu ke"), validators=[MinValueValidator(1)])
    progress = models.DecimalField(
        _("realisasi (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)], **SHARE
    )

    class Meta:
        ordering = ["week"]
        constraints = [models.UniqueConstraint(fields=["work_item", "week"], name="progress_unique_week")]

    def __str__(self) -> str:
        return f"{self.work_item_id} minggu ke-{self.week}: {self.progress} %"


class WeekReport(models.Model):
    """Laporan mingguan: the cut-off date of a week's progress and, optionally, its actual cost."""

    project = models.ForeignKey("ahsp.Project", on_delete=models.CASCADE, related_name="week_reports")
    week = models.PositiveSmallIntegerField(_("minggu ke"), validators=[MinValueValidator(1)])
    report_date = models.DateField(_("tanggal laporan"), null=True, blank=True)
    actual_cost = models.DecimalField(
        _("biaya aktual (Rp)"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["week"]
        constraints = [models.UniqueConstraint(fields=["project", "week"], name="week_report_unique_week")]

    def __str__(self) -> str:
        return f"Laporan minggu ke-{self.week}"
