from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

#: The cache keys of the project's pages: moved only by ``Project.bump_content_version`` (an SQL increment).
CACHE_VERSIONS = ("content_version", "estimate_version")


#: The project's own fields that a user edits and that a project document carries (the header, the
#: signatories, the pricing settings): not the owner, the lock or the cache versions.
EDITABLE_FIELDS = [
    "name",
    "client",
    "location",
    "funding_source",
    "fiscal_year",
    "budget_ceiling",
    "start_date",
    "duration_weeks",
    "contractor",
    "planning_consultant",
    "supervising_consultant",
    "description",
    "signing_place",
    "prepared_by_name",
    "prepared_by_title",
    "checked_by_name",
    "checked_by_title",
    "approved_by_name",
    "approved_by_title",
    "status",
    "overhead_profit_pct",
    "vat_pct",
    "rounding_step",
    "rounding_mode",
    "hsp_rounding_step",
    "numbering_style",
]


class ProjectQuerySet(models.QuerySet):
    """Every project query goes through these methods, so sharing with roles can grow here.

    A frozen version opened for reading is a read-only project of its own (``snapshot_of`` its project,
    ``ahsp.services.versions``): ``readable_by`` (the access helper's reads) includes it, ``visible_to``
    (every list, sum and widget) and ``editable_by`` (every write) never do."""

    def visible_to(self, user) -> "ProjectQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user, snapshot_of__isnull=True)

    def readable_by(self, user) -> "ProjectQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def editable_by(self, user) -> "ProjectQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user, snapshot_of__isnull=True)


#: The dates a project may have: its start, and its end (start + duration), so that every week, month and
#: chart date of the schedule, progress and Kurva S pages can be computed.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class Project(models.Model):
    """One estimate (RAB) with the fields its formal header needs."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        ACTIVE = "active", _("Berjalan")
        DONE = "done", _("Selesai")
        ARCHIVED = "archived", _("Diarsipkan")

    class RoundingMode(models.TextChoices):
        DOWN = "down", _("ke bawah")
        HALF_UP = "half_up", _("terdekat")
        UP = "up", _("ke atas")

    ROUNDING_STEPS = [
        (0, _("tidak dibulatkan")),
        (1, "Rp 1"),
        (10, "Rp 10"),
        (100, "Rp 100"),
        (1000, "Rp 1.000"),
        (10000, "Rp 10.000"),
        (100000, "Rp 100.000"),
    ]

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("pemilik akun"),
    )
    name = models.CharField(_("nama proyek"), max_length=255)
    client = models.CharField(_("pemilik / instansi"), max_length=255, blank=True)
    location = models.CharField(_("lokasi"), max_length=255, blank=True)
    funding_source = models.CharField(_("sumber dana"), max_length=255, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(
        _("tahun anggaran"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    budget_ceiling = models.DecimalField(
        _("pagu anggaran (Rp)"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    start_date = models.DateField(
        _("tanggal mulai"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(EARLIEST_DATE, message=_("Tanggal mulai paling awal 1 Januari 1990.")),
            MaxValueValidator(LATEST_DATE, message=_("Tanggal mulai paling lambat 31 Desember 2100.")),
        ],
    )
    duration_weeks = models.PositiveSmallIntegerField(
        _("durasi (minggu)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(520)]
    )
    contractor = models.CharField(_("kontraktor pelaksana"), max_length=255, blank=True)
    planning_consultant = models.CharField(_("konsultan perencana"), max_length=255, blank=True)
    supervising_consultant = models.CharField(_("konsultan pengawas"), max_length=255, blank=True)
    description = models.TextField(_("keterangan"), blank=True)
    # Signature block of printed documents (Dibuat / Diperiksa / Disetujui oleh).
    signing_place = models.CharField(_("tempat penandatanganan"), max_length=120, blank=True)
    prepared_by_name = models.CharField(_("dibuat oleh (nama)"), max_length=120, blank=True)
    prepared_by_title = models.CharField(_("dibuat oleh (jabatan)"), max_length=120, blank=True)
    checked_by_name = models.CharField(_("diperiksa oleh (nama)"), max_length=120, blank=True)
    checked_by_title = models.CharField(_("diperiksa oleh (jabatan)"), max_length=120, blank=True)
    approved_by_name = models.CharField(_("disetujui oleh (nama)"), max_length=120, blank=True)
    approved_by_title = models.CharField(_("disetujui oleh (jabatan)"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    overhead_profit_pct = models.DecimalField(
        _("biaya umum dan keuntungan (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("0-100 %. Pekerjaan pemerintah: paling tinggi 15 % (Permen PUPR 8/2023)."),
    )
    vat_pct = models.DecimalField(
        _("PPN (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("11"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    rounding_step = models.PositiveIntegerField(
        _("pembulatan total ke"), choices=ROUNDING_STEPS, default=1000
    )
    rounding_mode = models.CharField(
        _("arah pembulatan"), max_length=10, choices=RoundingMode.choices, default=RoundingMode.DOWN
    )
    numbering_style = models.CharField(
        _("penomoran"),
        max_length=10,
        choices=[("roman", _("I, I.1, I.1.1")), ("arabic", _("1, 1.1, 1.1.1"))],
        default="roman",
    )
    hsp_rounding_step = models.PositiveIntegerField(
        _("pembulatan harga satuan pekerjaan"),
        choices=[(0, _("tidak dibulatkan")), (1, "Rp 1"), (10, "Rp 10"), (100, "Rp 100")],
        default=0,
        help_text=_("Sebagian kantor membulatkan setiap HSP ke Rp 1, 10, atau 100 (terdekat)."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    # Incremented in the transaction of every change to anything the project owns (``audit.record``):
    # the key of its cached pages (``ahsp.views._page_cache``). ``version`` above is the header form's.
    content_version = models.PositiveBigIntegerField(default=1, editable=False)
    # Incremented with ``content_version`` by every change EXCEPT those of the schedule and the progress
    # (plans, stages, actual progress, week reports): the key of the estimate pages (RAB, work breakdown,
    # item sheet, Rincian AHSP, prices), which show nothing of the schedule, so a progress save leaves them
    # cached. ``ahsp.services.audit.Changes`` says which change bumps which.
    estimate_version = models.PositiveBigIntegerField(default=1, editable=False)
    # A frozen version opened for reading (read-only; ``ahsp.services.versions``); null for a real project.
    snapshot_of = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, editable=False, related_name="snapshots"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("proyek")
        verbose_name_plural = _("proyek")
        indexes = [models.Index(fields=["owner", "-updated_at", "-id"], name="project_owner_updated_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """An update never writes ``content_version`` (nor ``estimate_version``): a project loaded before a change and saved after it
        must not set the version back (a version that comes back would serve pages cached before the
        change). Only ``bump_content_version`` (an SQL increment) moves it."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in CACHE_VERSIONS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("ahsp:project_detail", args=[self.pk])

    @staticmethod
    def bump_content_version(project_id: int, *, estimate: bool = True) -> None:
        """Every cached page of the project is out of date (``estimate=False``: every page but the estimate
        pages, for a change of the schedule or the progress only); call inside the transaction of the change."""
        versions = {"content_version": models.F("content_version") + 1}
        if estimate:
            versions["estimate_version"] = models.F("estimate_version") + 1
        Project.objects.filter(pk=project_id).update(**versions)

    def clean(self) -> None:
        super().clean()
        start, weeks = self.start_date, self.duration_weeks
        if start and weeks and EARLIEST_DATE <= start <= LATEST_DATE and 0 < weeks <= 520:
            if start + timedelta(weeks=weeks) > LATEST_DATE + timedelta(days=1):
                raise ValidationError(
                    {
                        "duration_weeks": _(
                            "Proyek harus selesai paling lambat 31 Desember 2100 (tanggal mulai + durasi)."
                        )
                    }
                )

    def audit_snapshot(self) -> dict:
        """The values an audit event records before/after a change (JSON-safe)."""
        data = {}
        for field in self._meta.concrete_fields:
            if field.name in {"id", "created_at", "updated_at", "snapshot_of", *CACHE_VERSIONS}:
                continue
            value = getattr(self, field.attname)
            if value is not None and isinstance(field, models.DecimalField):
                value = str(Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
            elif value is not None and not isinstance(value, (str, int, bool)):
                value = str(value)
            data[field.name] = value
        return data
