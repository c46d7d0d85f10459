"""`manage.py seed_demo`: the data a fresh machine needs to show a working app.

Loads the hand-written demo reference library (ahsp/demo/library.py), a demo user with two projects and a
staff user. Idempotent: a second run finds everything in place and writes nothing. It refuses to run
without DEBUG unless told to, because it creates accounts with published passwords.
"""

from collections import Counter
from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from ahsp.demo import library as demo_data
from ahsp.demo.estimate import build_demo_estimate
from ahsp.models import Project, ReferenceAnalysis, ReferenceComponent, ReferenceResource, User
from ahsp.services import projects

DEMO_EMAIL = "demo@ahsp.local"
DEMO_PASSWORD = "demo12345"
STAFF_EMAIL = "admin@ahsp.local"
STAFF_PASSWORD = "admin12345"

DEMO_PROJECTS = [
    {
        "name": "Pembangunan Gedung Kantor Desa Sukamaju",
        "client": "Pemerintah Desa Sukamaju",
        "location": "Desa Sukamaju, Kecamatan Sukamaju, Kabupaten Luwu Utara, Sulawesi Selatan",
        "funding_source": "Dana Desa",
        "fiscal_year": 2026,
        "budget_ceiling": Decimal("750000000.00"),
        "start_date": date(2026, 4, 6),
        "duration_weeks": 16,
        "contractor": "Swakelola (Tim Pelaksana Kegiatan Desa Sukamaju)",
        "planning_consultant": "CV Cipta Rancang Konsultan",
        "supervising_consultant": "CV Mitra Teknik Pengawas",
        "description": "Gedung kantor desa satu lantai, luas ± 180 m², struktur beton bertulang.",
        "status": Project.Status.DRAFT,
        "signing_place": "Sukamaju",
        "prepared_by_name": "Andi Pratama, S.T.",
        "prepared_by_title": "Estimator, CV Cipta Rancang Konsultan",
        "checked_by_name": "Ir. Rudi Hartono",
        "checked_by_title": "Tim Teknis Kecamatan",
        "approved_by_name": "Muhammad Yusuf",
        "approved_by_title": "Kepala Desa Sukamaju",
    },
    {
        "name": "Rehabilitasi Puskesmas Pembantu Desa Mekarsari",
        "client": "Dinas Kesehatan Kabupaten Garut",
        "location": "Desa Mekarsari, Kecamatan Cibatu, Kabupaten Garut, Jawa Barat",
        "funding_source": "APBD Kabupaten Garut",
        "fiscal_year": 2026,
        "budget_ceiling": Decimal("425000000.00"),
        "start_date": date(2026, 2, 2),
        "duration_weeks": 12,
        "contractor": "CV Mekar Jaya Konstruksi",
        "planning_consultant": "CV Arsitama Graha Konsultan",
        "supervising_consultant": "CV Trimitra Supervisi",
        "description": "Penggantian rangka dan penutup atap, plafon, lantai keramik, pengecatan ulang.",
        "status": Project.Status.ACTIVE,
    },
]


def _sync(model: type[models.Model], lookup: dict, values: dict, stats: Counter, label: str):
    """get_or_create, then save only the fields that differ: a re-run writes nothing."""
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    if created:
        stats[f"{label}_created"] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
        stats[f"{label}_updated"] += 1
    return obj


def load_reference(stats: Counter) -> None:
    demo_data.nesting_order()  # raises DemoDataError for an unknown nested code or a cycle
    resources = {}
    for item in demo_data.RESOURCES:
        resources[item.code] = _sync(
            ReferenceResource,
            {"code": item.code},
            {"name": item.name, "unit": item.unit, "category": item.category},
            stats,
            "resource",
        )

    analyses = {}
    for item in demo_data.ANALYSES:
        analyses[item.code] = _sync(
            ReferenceAnalysis,
            {"source": demo_data.SOURCE, "code": item.code},
            {
                "name": item.name,
                "unit": item.unit,
                "unit_from_name": False,
                "is_suspicious": item.needs_review,
                "notes": item.notes,
                "search_text": ReferenceAnalysis.build_search_text(item.code, item.name),
                "sort_key": ReferenceAnalysis.build_sort_key(item.code),
            },
            stats,
            "analysis",
        )

    # Components after all analyses exist, so nested references can point at any of them.
    for item in demo_data.ANALYSES:
        analysis = analyses[item.code]
        for position, component in enumerate(item.components, start=1):
            values = {
                "resource_id": None if component.nested else resources[component.code].pk,
                "nested_analysis_id": analyses[component.code].pk if component.nested else None,
                "unit": demo_data.component_unit(component),
                "coefficient": Decimal(component.coefficient),
                "raw_coefficient": component.coefficient,
                "is_flagged": False,
                "flag_reason": "",
            }
            _sync(
                ReferenceComponent, {"analysis": analysis, "position": position}, values, stats, "component"
            )
            stats["nested"] += component.nested
        stale = analysis.components.filter(position__gt=len(item.components))
        stats["component_deleted"] += stale.delete()[0]


def ensure_user(*, email: str, password: str, staff: bool, first_name: str, last_name: str) -> User:
    """The account exists, can log in with `password`, and its e-mail is verified and primary."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        username = email.lower()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"Nama pengguna {username} sudah dipakai akun dengan e-mail lain.")
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    changed = user.pk is None
    for attr in ("is_active", "is_staff", "is_superuser"):
        wanted = True if attr == "is_active" else staff
        if getattr(user, attr) != wanted:
            setattr(user, attr, wanted)
            changed = True
    if not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.save()

    address, created = EmailAddress.objects.get_or_create(
        user=user, email__iexact=email, defaults={"email": email, "verified": True, "primary": True}
    )
    if not created and not (address.verified and address.primary):
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(primary=False)
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])
    return user


def ensure_projects(user: User) -> int:
    """Create the demo projects through the service (with audit events), only for a user with none."""
    if Project.objects.filter(owner=user).exists():
        return 0
    created = [projects.create(data=data, by=user) for data in DEMO_PROJECTS]
    build_demo_estimate(project=created[0], by=user)
    return len(created)


class Command(BaseCommand):
    help = "Memuat data demo: AHSP referensi contoh, pengguna demo dengan dua proyek, dan pengguna staf."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Jalankan juga bila DEBUG mati (membuat akun dengan kata sandi yang diketahui umum).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "seed_demo membuat akun dengan kata sandi yang diketahui umum dan hanya dijalankan bila "
                "DEBUG=1. Pakai --allow-without-debug bila memang disengaja."
            )
        stats: Counter = Counter()
        try:
            with transaction.atomic():
                load_reference(stats)
                demo_user = ensure_user(
                    email=DEMO_EMAIL,
                    password=DEMO_PASSWORD,
                    staff=False,
                    first_name="Pengguna",
                    last_name="Demo",
                )
                ensure_user(
                    email=STAFF_EMAIL,
                    password=STAFF_PASSWORD,
                    staff=True,
                    first_name="Admin",
                    last_name="Demo",
                )
                created_projects = ensure_projects(demo_user)
        except demo_data.DemoDataError as exc:
            raise CommandError(str(exc)) from exc

        components = sum(len(a.components) for a in demo_data.ANALYSES)
        self.stdout.write(
            f"AHSP referensi “{demo_data.SOURCE}”: "
            f"{len(demo_data.ANALYSES)} analisa (baru {stats['analysis_created']}, "
            f"diubah {stats['analysis_updated']}), "
            f"{len(demo_data.RESOURCES)} sumber daya (baru {stats['resource_created']}, "
            f"diubah {stats['resource_updated']}), "
            f"{components} komponen, {stats['nested']} di antaranya analisa bertingkat (baru "
            f"{stats['component_created']}, diubah {stats['component_updated']}, "
            f"dihapus {stats['component_deleted']})."
        )
        if created_projects:
            self.stdout.write(f"Proyek demo: {created_projects} dibuat.")
        else:
            self.stdout.write("Proyek demo: tidak ditambah, pengguna demo sudah punya proyek.")
        self.stdout.write(self.style.SUCCESS(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}"))
        self.stdout.write(self.style.SUCCESS(f"Staff login: {STAFF_EMAIL} / {STAFF_PASSWORD}"))
