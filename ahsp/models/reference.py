"""The reference library (AHSP referensi): standard analyses, resources and their coefficients."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ResourceCategory(models.TextChoices):
    LABOUR = "labour", _("Tenaga Kerja")
    MATERIAL = "material", _("Bahan")
    EQUIPMENT = "equipment", _("Peralatan")
    OTHER = "other", _("Lain-lain")


CATEGORY_ORDER = [c.value for c in ResourceCategory]


class ReferenceResource(models.Model):
    code = models.CharField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=255)
    unit = models.CharField(_("satuan"), max_length=60)
    category = models.CharField(_("kategori"), max_length=20, choices=ResourceCategory.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sumber daya referensi")
        verbose_name_plural = _("sumber daya referensi")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ReferenceAnalysisQuerySet(models.QuerySet):
    def search(self, query: str) -> "ReferenceAnalysisQuerySet":
        """Every word must appear in the code or the name (case-insensitive)."""
        qs = self
        for word in query.lower().split()[:8]:
            qs = qs.filter(search_text__contains=word)
        return qs


class ReferenceAnalysis(models.Model):
    source = models.CharField(_("sumber"), max_length=60)
    code = models.CharField(_("kode"), max_length=40)
    name = models.TextField(_("uraian"))
    unit = models.CharField(_("satuan"), max_length=60, blank=True)
    unit_from_name = models.BooleanField(default=False)
    is_suspicious = models.BooleanField(_("perlu diperiksa"), default=False)
    notes = models.TextField(_("catatan impor"), blank=True)
    search_text = models.TextField(editable=False, default="")
    sort_key = models.CharField(max_length=120, editable=False, default="", db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferenceAnalysisQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "code"]
        verbose_name = _("AHSP referensi")
        verbose_name_plural = _("AHSP referensi")
        constraints = [
            models.UniqueConstraint(fields=["source", "code"], name="refanalysis_source_code_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("ahsp:reference_detail", args=[self.code])

    @staticmethod
    def build_sort_key(code: str) -> str:
        """Natural order of codes: 1.2 before 1.10 (numeric parts zero-padded)."""
        return ".".join(part.zfill(5) if part.isdigit() else part for part in code.split("."))

    @staticmethod
    def build_search_text(code: str, name: str) -> str:
        return f"{code} {name}".lower()


class ReferenceComponent(models.Model):
    """One line of an analysis: a resource OR a nested analysis, with its coefficient."""

    analysis = models.ForeignKey(ReferenceAnalysis, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveIntegerField(default=0)
    resource = models.ForeignKey(
        ReferenceResource, on_delete=models.PROTECT, null=True, blank=True, related_name="components"
    )
    nested_analysis = models.ForeignKey(
        ReferenceAnalysis, on_delete=models.PROTECT, null=True, blank=True, related_name="used_in"
    )
    unit = models.CharField(_("satuan"), max_length=60, blank=True)
    coefficient = models.DecimalField(_("koefisien"), max_digits=20, decimal_places=6)
    raw_coefficient = models.CharField(_("nilai asli"), max_length=60, blank=True)
    is_flagged = models.BooleanField(_("ditandai"), default=False)
    flag_reason = models.CharField(_("alasan"), max_length=255, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["analysis", "position", "id"]
        verbose_name = _("komponen AHSP referensi")
        verbose_name_plural = _("komponen AHSP referensi")
        constraints = [
            models.CheckConstraint(
                condition=(Q(resource__isnull=False) & Q(nested_analysis__isnull=True))
                | (Q(resource__isnull=True) & Q(nested_analysis__isnull=False)),
                name="refcomponent_resource_xor_nested",
            )
        ]

    def __str__(self) -> str:
        target = self.resource or self.nested_analysis
        return f"{self.analysis.code}: {target} x {self.coefficient}"


class ReferenceImport(models.Model):
    """One run of the importer: its counts and the path of its CSV review report."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    source = models.CharField(max_length=60)
    file_name = models.CharField(max_length=255)
    analyses = models.PositiveIntegerField(default=0)
    resources = models.PositiveIntegerField(default=0)
    components = models.PositiveIntegerField(default=0)
    nested = models.PositiveIntegerField(default=0)
    suspicious = models.PositiveIntegerField(default=0)
    report_path = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source})"

    @property
    def summary_line(self) -> str:
        return (
            f"analyses={self.analyses} resources={self.resources} components={self.components} "
            f"nested={self.nested} suspicious={self.suspicious}"
        )
