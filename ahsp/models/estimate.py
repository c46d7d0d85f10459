"""The estimate of a project: work breakdown, project analyses, resource prices, parameters.

Stored results (`direct_*`, `unit_rate` on analyses; `amount` on work items) are derived values kept up to
date by the services in `ahsp/services/`, so that reading a big RAB never recomputes the whole project.
They are always recomputable from the inputs (`ahsp.services.recalc.recalculate_project`).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ahsp.models.project import Project
from ahsp.models.reference import ReferenceAnalysis, ReferenceResource, ResourceCategory

MONEY = {"max_digits": 20, "decimal_places": 2}
COEFFICIENT = {"max_digits": 20, "decimal_places": 6}
QUANTITY = {"max_digits": 20, "decimal_places": 4}
EXACT = {"max_digits": 30, "decimal_places": 10}

# The largest inputs forms and imports accept: within their columns, and small enough that the usual
# products fit too (a volume of 999.999.999 x an HSP of Rp 999.999.999 fits ``amount``). What still does
# not fit (a huge volume x a huge HSP) is refused by the services (``ahsp.services.recalc``).
MAX_VOLUME = Decimal("999999999.9999")  # 999.999.999,9999
MAX_PRICE = Decimal("999999999999.99")  # Rp 999.999.999.999,99
MAX_COEFFICIENT = Decimal("999999999.999999")
MAX_PARAMETER = Decimal("999999999.999999")


def fits(value: Decimal, spec: dict) -> bool:
    """Whether ``value`` fits a column of ``spec`` (``MONEY``, ``QUANTITY``...) once rounded to its places."""
    limit = Decimal(10) ** (spec["max_digits"] - spec["decimal_places"])
    return value.is_finite() and abs(value) < limit


class ProjectParameter(models.Model):
    """A named number used by volume formulas (e.g. panjang = 12)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="parameters")
    name = models.CharField(
        _("nama"),
        max_length=40,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]*$",
                _("Nama parameter diawali huruf dan hanya berisi huruf kecil, angka, atau garis bawah."),
            )
        ],
    )
    value = models.DecimalField(
        _("nilai"),
        validators=[MinValueValidator(-MAX_PARAMETER), MaxValueValidator(MAX_PARAMETER)],
        **COEFFICIENT,
    )
    description = models.CharField(_("keterangan"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="parameter_project_name_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"


class ProjectResource(models.Model):
    """A resource (labour, material, equipment) with its price in this project (harga satuan dasar)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="resources")
    code = models.CharField(_("kode"), max_length=40)
    name = models.CharField(_("nama"), max_length=255)
    unit = models.CharField(_("satuan"), max_length=60)
    category = models.CharField(_("kategori"), max_length=20, choices=ResourceCategory.choices)
    unit_price = models.DecimalField(
        _("harga satuan"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_PRICE)],
        **MONEY,
    )
    purchase_unit = models.CharField(_("satuan beli"), max_length=60, blank=True)
    purchase_factor = models.DecimalField(
        _("isi per satuan beli"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.000001")), MaxValueValidator(MAX_COEFFICIENT)],
        help_text=_("Contoh: 1 zak = 50 kg, isi 50."),
        **COEFFICIENT,
    )
    reference = models.ForeignKey(
        ReferenceResource, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optimistic locking: bumped by every service that changes the row (price edit, price import).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["category", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="resource_project_code_uniq")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectAnalysis(models.Model):
    """The recipe for one unit of work in this project (AHSP), copied from the library or custom."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="analyses")
    code = models.CharField(_("kode"), max_length=40)
    name = models.TextField(_("uraian"))
    unit = models.CharField(_("satuan"), max_length=60)
    reference = models.ForeignKey(
        ReferenceAnalysis, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference_code = models.CharField(_("kode referensi"), max_length=40, blank=True)
    is_modified = models.BooleanField(_("diubah dari referensi"), default=False)
    # Derived (kept by services): A, B, C, other, and D = their sum, exact; missing prices below.
    labour = models.DecimalField(default=Decimal("0"), **EXACT)
    material = models.DecimalField(default=Decimal("0"), **EXACT)
    equipment = models.DecimalField(default=Decimal("0"), **EXACT)
    other = models.DecimalField(default=Decimal("0"), **EXACT)
    direct = models.DecimalField(default=Decimal("0"), **EXACT)
    missing_prices = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("analisa proyek")
        verbose_name_plural = _("analisa proyek")
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="analysis_project_code_uniq")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AnalysisComponent(models.Model):
    analysis = models.ForeignKey(ProjectAnalysis, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveIntegerField(default=0)
    resource = models.ForeignKey(
        ProjectResource, on_delete=models.RESTRICT, null=True, blank=True, related_name="components"
    )
    nested_analysis = models.ForeignKey(
        ProjectAnalysis, on_delete=models.RESTRICT, null=True, blank=True, related_name="used_in"
    )
    coefficient = models.DecimalField(
        _("koefisien"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_COEFFICIENT)],
        **COEFFICIENT,
    )

    class Meta:
        ordering = ["analysis", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(resource__isnull=False) & Q(nested_analysis__isnull=True))
                | (Q(resource__isnull=True) & Q(nested_analysis__isnull=False)),
                name="component_resource_xor_nested",
            )
        ]

    def __str__(self) -> str:
        return f"{self.analysis_id}: {self.resource_id or self.nested_analysis_id} x {self.coefficient}"


class Section(models.Model):
    """Klasifikasi / sub-klasifikasi: a node of the work breakdown tree."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("nama klasifikasi"), max_length=255)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["project", "parent", "position"], name="section_tree_idx")]

    def __str__(self) -> str:
        return self.name


class WorkItem(models.Model):
    """Pekerjaan: a priced line of the RAB (volume x HSP of its analysis)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="work_items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    analysis = models.ForeignKey(ProjectAnalysis, on_delete=models.RESTRICT, related_name="work_items")
    name = models.TextField(_("uraian pekerjaan"))
    unit = models.CharField(_("satuan"), max_length=60)
    position = models.PositiveIntegerField(default=0)
    volume = models.DecimalField(
        _("volume"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_VOLUME)],
        **QUANTITY,
    )
    volume_formula = models.CharField(_("rumus volume"), max_length=500, blank=True)
    volume_error = models.CharField(max_length=255, blank=True)
    overhead_pct_override = models.DecimalField(
        _("BUK khusus (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    stage = models.ForeignKey(
        "ahsp.Stage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("tahapan"),
    )
    # Derived (kept by services): HSP and amount = volume x HSP.
    unit_rate = models.DecimalField(default=Decimal("0"), **MONEY)
    amount = models.DecimalField(default=Decimal("0"), **MONEY)
    version = models.PositiveIntegerField(default=1)
    # The optimistic lock of the item's schedule (plan, stage, actual progress), apart from ``version``
    # (its estimate fields): a progress save neither conflicts with a volume edit nor makes the cached
    # work breakdown's forms stale (``ahsp.services.schedule``).
    schedule_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["project", "section", "position"], name="workitem_tree_idx")]

    def __str__(self) -> str:
        return self.name
