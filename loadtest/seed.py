"""Seed the load-test data (idempotent): N accounts with M projects each, estimates, a reference library.

    DJANGO_SETTINGS_MODULE=project.settings python loadtest/seed.py --users 50 --projects 45 --estimates 5

Accounts are user0001@load.test ... with the password from LOAD_PASSWORD (default in accounts.py);
existing accounts get that password again, and each keeps at least M projects. The E most recently
updated projects of each account (the top of its dashboard, where the locustfile opens the RAB and edits
volumes) get an estimate when they have no work breakdown yet: 3 sections x 10 work items over priced
project analyses (resources with prices, components), written with bulk_create and then priced by
`recalculate_project`, as the app does (E=0: none). Those estimates also get a schedule when none of
their items has a plan yet: a start date 7 weeks ago (today is in week 8), 20 weeks (two 12-week windows
of the Gantt), every item planned evenly over 3 to 6 weeks, and progress in the past weeks of the items
already started, each item's cumulative kept at most 60 % (room for the locustfile's progress saves);
bulk-created, the project rows updated without touching `updated_at` (the dashboard's order). Each
estimate without audit events gets a history of AUDIT_EVENTS events (volume, plan and progress changes
with a before/after diff), so its audit trail has three pages to scroll. The
reference library:
`manage.py seed_demo` when the command exists, then `import_reference $LOAD_REFERENCE_XLSX` when that
variable names a file; if the library is still empty, a small built-in set of analyses is added so the
search and analysis pages have something to show.
"""

import argparse
import os
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from accounts import email_for, password  # noqa: E402

PROJECT_KINDS = [
    "Pembangunan Gedung Serbaguna",
    "Rehabilitasi Gedung Sekolah Dasar",
    "Peningkatan Jalan Desa",
    "Pemeliharaan Saluran Irigasi",
    "Pembangunan Puskesmas Pembantu",
    "Penggantian Jembatan Gantung",
    "Renovasi Kantor Kecamatan",
    "Pembangunan Drainase Lingkungan",
]
LOCATIONS = [
    "Kabupaten Bogor",
    "Kabupaten Sleman",
    "Kota Bandung",
    "Kabupaten Gowa",
    "Kota Padang",
    "Kabupaten Banyumas",
]
STATUSES = ["draft", "draft", "active", "active", "active", "done"]

# Used only when the library is empty after seed_demo / import_reference: (code, name, unit, material).
FALLBACK_SOURCE = "Contoh uji beban"
FALLBACK_ANALYSES = [
    ("2.2.1.1", "Galian tanah biasa sedalam s.d. 1 m", "m3", None),
    ("2.2.1.2", "Galian tanah biasa sedalam 1 s.d. 2 m", "m3", None),
    ("2.2.1.3", "Galian tanah keras sedalam s.d. 1 m", "m3", None),
    ("2.2.2.1", "Urugan tanah kembali", "m3", None),
    ("2.2.2.2", "Urugan pasir bawah pondasi", "m3", "pasir"),
    ("3.1.1.1", "Pasangan pondasi batu kali 1PC:4PP", "m3", "semen"),
    ("3.2.1.1", "Pasangan bata merah tebal 1/2 batu 1PC:4PP", "m2", "semen"),
    ("3.3.1.1", "Plesteran tebal 15 mm 1PC:4PP", "m2", "semen"),
    ("3.3.2.1", "Acian semen", "m2", "semen"),
    ("4.1.1.1", "Beton mutu fc' 7,4 MPa (K-100) untuk lantai kerja", "m3", "semen"),
    ("4.1.1.5", "Beton mutu fc' 19,3 MPa (K-225)", "m3", "semen"),
    ("4.1.1.7", "Beton mutu fc' 24,9 MPa (K-300)", "m3", "semen"),
    ("4.2.1.1", "Pembesian 10 kg dengan besi polos", "kg", "besi"),
    ("4.2.1.2", "Pembesian 10 kg dengan besi ulir", "kg", "besi"),
    ("4.3.1.1", "Bekisting pondasi dan sloof", "m2", "kayu"),
    ("4.3.1.2", "Bekisting kolom", "m2", "kayu"),
    ("5.1.1.1", "Pemasangan lantai keramik 40x40 cm", "m2", "keramik"),
    ("6.1.1.1", "Pengecatan tembok baru (plamir, cat dasar, 2 lapis cat penutup)", "m2", "cat"),
    ("6.1.2.1", "Pengecatan kayu baru (cat dasar, 2 lapis cat penutup)", "m2", "cat"),
    ("7.1.1.1", "Pemasangan rangka atap baja ringan", "m2", "baja"),
    ("8.1.1.1", "Pembuatan dan pemasangan kusen pintu kayu kelas II", "m3", "kayu"),
    ("9.1.1.1", "Pemasangan pipa PVC diameter 3/4 inci", "m", "pipa"),
]
FALLBACK_RESOURCES = {
    # key: (code, name, unit, category)
    "pekerja": ("LT.L.01", "Pekerja", "OH", "labour"),
    "tukang": ("LT.L.02", "Tukang", "OH", "labour"),
    "mandor": ("LT.L.04", "Mandor", "OH", "labour"),
    "pasir": ("LT.M.01", "Pasir urug", "m3", "material"),
    "semen": ("LT.M.02", "Semen Portland", "kg", "material"),
    "besi": ("LT.M.03", "Besi beton", "kg", "material"),
    "kayu": ("LT.M.04", "Kayu kelas III", "m3", "material"),
    "keramik": ("LT.M.05", "Keramik 40x40 cm", "m2", "material"),
    "cat": ("LT.M.06", "Cat tembok", "kg", "material"),
    "baja": ("LT.M.07", "Baja ringan", "kg", "material"),
    "pipa": ("LT.M.08", "Pipa PVC 3/4 inci", "m", "material"),
}

# Prices (Rp) of FALLBACK_RESOURCES in a seeded estimate, scaled a little per project.
ESTIMATE_PRICES = {
    "pekerja": 110_000,
    "tukang": 135_000,
    "mandor": 160_000,
    "pasir": 285_000,
    "semen": 1_450,
    "besi": 14_500,
    "kayu": 4_200_000,
    "keramik": 95_000,
    "cat": 45_000,
    "baja": 22_000,
    "pipa": 18_500,
}
ESTIMATE_SECTIONS = [
    "Pekerjaan Persiapan",
    "Pekerjaan Tanah dan Pondasi",
    "Pekerjaan Struktur Beton",
    "Pekerjaan Dinding dan Plesteran",
    "Pekerjaan Lantai dan Finishing",
    "Pekerjaan Atap",
]
ESTIMATE_SHAPE = (3, 10)  # sections per estimate, work items per section
SCHEDULE_WEEKS = 20  # two windows of the Gantt (12 + 8 weeks): the locustfile pages forward and back
SCHEDULE_CURRENT_WEEK = 8  # the start date puts today in this week
SCHEDULE_PROGRESS_CAP = Decimal(60)  # seeded progress per item stays at most this (%)
AUDIT_EVENTS = 150  # per estimate: three pages of the audit trail (50 rows each)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.chdir(ROOT)
    import django

    django.setup()


def seed_users(count: int) -> list:
    return seed_accounts([email_for(n) for n in range(1, count + 1)])


def seed_accounts(emails: list[str]) -> list:
    """The accounts with these addresses (verified), with the load-test password; sorted by e-mail."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    hashed = make_password(password())  # one (slow, Argon2) hash shared by all accounts
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    User.objects.bulk_create(
        [
            User(
                username=email, email=email, password=hashed, first_name="Uji", last_name=email.split("@")[0]
            )
            for email in emails
            if email not in existing
        ]
    )
    users = list(User.objects.filter(email__in=emails).order_by("email"))
    for user in users:
        user.password = hashed
        user.is_active = True
    User.objects.bulk_update(users, ["password", "is_active"])
    verified = set(EmailAddress.objects.filter(user__in=users).values_list("email", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in users
            if user.email not in verified
        ]
    )
    print(
        f"seed: {len(users)} accounts ({len(users) - len(existing)} new), password from LOAD_PASSWORD/default"
    )
    return users


def seed_projects(users: list, per_user: int) -> None:
    from django.db.models import Count

    from ahsp.models import Project

    have = dict(
        Project.objects.filter(owner__in=users)
        .values("owner")
        .annotate(n=Count("id"))
        .values_list("owner", "n")
    )
    new = []
    for u_index, user in enumerate(users):
        for p_index in range(have.get(user.pk, 0), per_user):
            n = u_index * 7 + p_index
            new.append(
                Project(
                    owner=user,
                    name=f"{PROJECT_KINDS[n % len(PROJECT_KINDS)]} Tahap {p_index + 1}",
                    location=LOCATIONS[n % len(LOCATIONS)],
                    client=f"Dinas PUPR {LOCATIONS[(n + 1) % len(LOCATIONS)]}",
                    funding_source="APBD" if n % 3 else "DAK",
                    fiscal_year=2024 + n % 3,
                    budget_ceiling=Decimal(250_000_000 + 50_000_000 * (n % 20)),
                    duration_weeks=12 + n % 30,
                    status=STATUSES[n % len(STATUSES)],
                )
            )
    Project.objects.bulk_create(new, batch_size=1000)
    print(f"seed: {per_user} projects per account ({len(new)} new)")


def estimate_price(key: str, project) -> Decimal:
    """The price of FALLBACK_RESOURCES[key] in a seeded estimate: up to 18 % dearer, by project."""
    return Decimal(ESTIMATE_PRICES[key]) * (100 + project.pk % 7 * 3) / 100


def estimate_lines(index: int, material: str | None) -> list[tuple[str, Decimal]]:
    """The components (resource key, coefficient) of FALLBACK_ANALYSES[index] in a seeded estimate."""
    lines = [("pekerja", "0.750"), ("tukang", "0.250"), ("mandor", "0.025")]
    if material:
        lines.append((material, str(1 + index % 5)))
    return [(key, Decimal(coefficient)) for key, coefficient in lines]


def estimate_unit_prices(project, cache: dict) -> dict:
    """UnitPriceBreakdown per index of FALLBACK_ANALYSES, computed like `recalculate_project` does
    (same pure function, same inputs), once per distinct (prices, BUK %, HSP rounding)."""
    from ahsp.calculations.unit_price import AnalysisInput, ComponentInput, calculate_unit_prices

    key = (project.pk % 7, project.overhead_profit_pct, project.hsp_rounding_step)
    if key not in cache:
        inputs = {
            index: AnalysisInput(
                index,
                tuple(
                    ComponentInput(FALLBACK_RESOURCES[res][3], coefficient, estimate_price(res, project))
                    for res, coefficient in estimate_lines(index, material)
                ),
                project.overhead_profit_pct,
            )
            for index, (_code, _name, _unit, material) in enumerate(FALLBACK_ANALYSES)
        }
        cache[key] = calculate_unit_prices(
            inputs, hsp_rounding_step=project.hsp_rounding_step, hsp_rounding_mode="half_up"
        )
    return cache[key]


def estimate_project_ids(users: list, per_user: int) -> list[int]:
    """The `per_user` most recently updated projects of each account: the top of its dashboard."""
    from ahsp.models import Project

    chosen: dict[int, list[int]] = {}
    for project_id, owner_id in (
        Project.objects.filter(owner__in=users)
        .order_by("owner_id", "-updated_at", "-id")  # the dashboard's default order, per account
        .values_list("id", "owner_id")
    ):
        ids = chosen.setdefault(owner_id, [])
        if len(ids) < per_user:
            ids.append(project_id)
    return [pk for ids in chosen.values() for pk in ids]


def seed_estimates(users: list, per_user: int) -> None:
    """An estimate in each account's `per_user` most recently updated projects that have none yet.

    Written with bulk_create, with the derived values (analysis A/B/C/D, item HSP and amount) computed
    in memory by the app's own calculation; `recalculate_project` then checks the first and last new
    project (it must find nothing to change), or, if it does, reprices every new project."""
    import time

    from django.db import transaction

    from ahsp.calculations.totals import line_amount
    from ahsp.models import AnalysisComponent, Project, ProjectAnalysis, ProjectResource, Section, WorkItem
    from ahsp.services.recalc import STORED_PLACES, recalculate_project

    if per_user <= 0:
        print("seed: no estimates (--estimates 0)")
        return
    started = time.monotonic()
    wanted = estimate_project_ids(users, per_user)
    done = set(Section.objects.filter(project_id__in=wanted).values_list("project_id", flat=True))
    projects = list(Project.objects.filter(pk__in=[pk for pk in wanted if pk not in done]).order_by("id"))
    if not projects:
        print(f"seed: {per_user} projects per account have an estimate (0 new)")
        return
    section_count, items_per_section = ESTIMATE_SHAPE
    cache: dict = {}
    prices = {project.pk: estimate_unit_prices(project, cache) for project in projects}
    with transaction.atomic():
        resources = ProjectResource.objects.bulk_create(
            [
                ProjectResource(
                    project=project,
                    code=code,
                    name=name,
                    unit=unit,
                    category=category,
                    unit_price=estimate_price(key, project),
                )
                for project in projects
                for key, (code, name, unit, category) in FALLBACK_RESOURCES.items()
            ],
            batch_size=2000,
        )
        resource_ids = {(r.project_id, r.code): r.pk for r in resources}
        analyses = []
        for project in projects:
            for index, (code, name, unit, _material) in enumerate(FALLBACK_ANALYSES):
                result = prices[project.pk][index]
                analyses.append(
                    ProjectAnalysis(
                        project=project,
                        code=code,
                        name=name,
                        unit=unit,
                        labour=result.labour.quantize(STORED_PLACES),
                        material=result.material.quantize(STORED_PLACES),
                        equipment=result.equipment.quantize(STORED_PLACES),
                        other=result.other.quantize(STORED_PLACES),
                        direct=result.direct.quantize(STORED_PLACES),
                        missing_prices=result.missing_prices,
                    )
                )
        ProjectAnalysis.objects.bulk_create(analyses, batch_size=2000)
        analysis_ids = {(a.project_id, a.code): a.pk for a in analyses}
        AnalysisComponent.objects.bulk_create(
            [
                AnalysisComponent(
                    analysis_id=analysis_ids[project.pk, code],
                    position=position,
                    resource_id=resource_ids[project.pk, FALLBACK_RESOURCES[key][0]],
                    coefficient=coefficient,
                )
                for project in projects
                for index, (code, _name, _unit, material) in enumerate(FALLBACK_ANALYSES)
                for position, (key, coefficient) in enumerate(estimate_lines(index, material), start=1)
            ],
            batch_size=5000,
        )
        sections = Section.objects.bulk_create(
            [
                Section(
                    project=project,
                    name=ESTIMATE_SECTIONS[position % len(ESTIMATE_SECTIONS)],
                    position=position,
                )
                for project in projects
                for position in range(section_count)
            ],
            batch_size=2000,
        )
        items = []
        for section in sections:
            for position in range(items_per_section):
                n = section.position * items_per_section + position
                index = n % len(FALLBACK_ANALYSES)
                code, name, unit, _material = FALLBACK_ANALYSES[index]
                volume = Decimal((section.project_id * 37 + n * 53) % 2000 + 10) / 4
                unit_rate = prices[section.project_id][index].unit_rate
                items.append(
                    WorkItem(
                        project_id=section.project_id,
                        section=section,
                        analysis_id=analysis_ids[section.project_id, code],
                        name=name,
                        unit=unit,
                        position=position,
                        volume=volume,
                        unit_rate=unit_rate,
                        amount=line_amount(volume, unit_rate),
                    )
                )
        WorkItem.objects.bulk_create(items, batch_size=5000)
        checked = {projects[0].pk: projects[0], projects[-1].pk: projects[-1]}.values()
        results = [recalculate_project(project) for project in checked]
        if any(result.analyses_changed or result.items_changed for result in results):
            print("seed: warning: seeded prices differ from recalculate_project; repricing every project")
            for project in projects:
                recalculate_project(project)
    print(
        f"seed: {per_user} projects per account have an estimate ({len(projects)} new: "
        f"{section_count} sections x {items_per_section} work items, {len(FALLBACK_ANALYSES)} analyses, "
        f"{len(FALLBACK_RESOURCES)} priced resources each; {time.monotonic() - started:.1f} s)"
    )


def item_schedule(n: int) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """The plan (week -> % of the item, summing to 100) and the seeded progress of the n-th work item of an
    estimate: planned evenly over 3 to 6 weeks within SCHEDULE_WEEKS (``even_shares``, as the app's "ratakan");
    5, 10 or 15 % done in each past week of its plan (before SCHEDULE_CURRENT_WEEK), at most
    SCHEDULE_PROGRESS_CAP in all."""
    from ahsp.calculations.schedule import even_shares

    length = 3 + n % 4
    first = 1 + (n * 7) % (SCHEDULE_WEEKS - length + 1)
    planned = even_shares(first, first + length - 1)
    progress: dict[int, Decimal] = {}
    done = Decimal(0)
    for week in range(first, min(first + length, SCHEDULE_CURRENT_WEEK)):
        value = Decimal(5 * (1 + (n + week) % 3))
        if done + value > SCHEDULE_PROGRESS_CAP:
            break
        progress[week] = value
        done += value
    return planned, progress


def seed_schedules(users: list, per_user: int) -> None:
    """A schedule for each estimate (see the module's docstring) none of whose items has a plan yet."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from ahsp.models import PlannedShare, ProgressEntry, Project, WorkItem

    if per_user <= 0:
        return
    wanted = estimate_project_ids(users, per_user)
    planned = set(
        PlannedShare.objects.filter(work_item__project_id__in=wanted).values_list(
            "work_item__project_id", flat=True
        )
    )
    items: dict[int, list[int]] = {}
    for item_id, project_id in (
        WorkItem.objects.filter(project_id__in=[pk for pk in wanted if pk not in planned])
        .order_by("project_id", "section__position", "position", "id")
        .values_list("id", "project_id")
    ):
        items.setdefault(project_id, []).append(item_id)
    if not items:
        print(f"seed: {per_user} projects per account have a schedule (0 new)")
        return
    start = timezone.localdate() - timedelta(weeks=SCHEDULE_CURRENT_WEEK - 1)
    shares, entries = [], []
    for ids in items.values():
        for n, item_id in enumerate(ids):
            plan, progress = item_schedule(n)
            shares += [PlannedShare(work_item_id=item_id, week=w, share=v) for w, v in plan.items()]
            entries += [ProgressEntry(work_item_id=item_id, week=w, progress=v) for w, v in progress.items()]
    with transaction.atomic():
        # update(): no save(), so updated_at (the dashboard's order, which the locustfile relies on) stays.
        Project.objects.filter(pk__in=items).update(start_date=start, duration_weeks=SCHEDULE_WEEKS)
        PlannedShare.objects.bulk_create(shares, batch_size=5000)
        ProgressEntry.objects.bulk_create(entries, batch_size=5000)
    print(
        f"seed: {per_user} projects per account have a schedule ({len(items)} new: {SCHEDULE_WEEKS} weeks "
        f"from {start:%Y-%m-%d}, {len(shares)} planned weeks, {len(entries)} progress entries)"
    )


def seed_audit_history(users: list, per_user: int) -> None:
    """A history of ``AUDIT_EVENTS`` events for each estimate that has none (bulk-created, as past edits)."""
    from django.db import transaction

    from ahsp.models import AuditEvent, Project, WorkItem

    if per_user <= 0:
        return
    wanted = estimate_project_ids(users, per_user)
    have = set(AuditEvent.objects.filter(project_id__in=wanted).values_list("project_id", flat=True))
    items: dict[int, list[tuple[int, str]]] = {}
    for item_id, project_id, name in (
        WorkItem.objects.filter(project_id__in=[pk for pk in wanted if pk not in have])
        .order_by("project_id", "id")
        .values_list("id", "project_id", "name")
    ):
        items.setdefault(project_id, []).append((item_id, name))
    if not items:
        print(f"seed: {per_user} projects per account have an audit history (0 new)")
        return
    owners = {
        pk: (owner_id, email)
        for pk, owner_id, email in Project.objects.filter(pk__in=list(items)).values_list(
            "pk", "owner_id", "owner__email"
        )
    }
    events = []
    for project_id, rows in items.items():
        for n in range(AUDIT_EVENTS):
            item_id, name = rows[n % len(rows)]
            kind = n % 3
            if kind == 0:
                summary, before, after = (
                    f"Volume “{name}” diubah",
                    {"volume": f"{n % 40 + 1}.00"},
                    {"volume": f"{n % 40 + 2}.50"},
                )
            elif kind == 1:
                summary, before, after = (
                    f"Rencana jadwal “{name}” diubah",
                    {"weeks": "M3-M5"},
                    {"weeks": "M4-M6"},
                )
            else:
                summary, before, after = (
                    f"Realisasi “{name}” diisi",
                    {"progress": "10.0000"},
                    {"progress": "15.0000"},
                )
            events.append(
                AuditEvent(
                    actor_id=owners[project_id][0],
                    actor_label=owners[project_id][1],
                    project_id=project_id,
                    action=AuditEvent.Action.UPDATE,
                    target_type="workitem",
                    target_id=str(item_id),
                    summary=summary,
                    before=before,
                    after=after,
                )
            )
    with transaction.atomic():
        AuditEvent.objects.bulk_create(events, batch_size=5000)
    print(
        f"seed: {per_user} projects per account have an audit history ({len(items)} new, {len(events)} events)"
    )


def seed_reference_library() -> None:
    from django.core.management import call_command, get_commands

    from ahsp.models import ReferenceAnalysis

    commands = get_commands()
    if "seed_demo" in commands:
        # The load stack runs with DEBUG off; seed_demo then refuses unless told that its demo
        # accounts (published passwords) are intended: they are, in this throwaway database.
        print("seed: manage.py seed_demo --allow-without-debug")
        try:
            call_command("seed_demo", allow_without_debug=True)
        except TypeError:  # an older seed_demo without that option
            call_command("seed_demo")
    else:
        print("seed: no seed_demo command in this tree, skipped")
    workbook = os.environ.get("LOAD_REFERENCE_XLSX", "")
    if workbook:
        if not Path(workbook).is_file():
            raise SystemExit(f"seed: LOAD_REFERENCE_XLSX={workbook} is not a file")
        if "import_reference" not in commands:
            raise SystemExit("seed: LOAD_REFERENCE_XLSX is set but there is no import_reference command")
        print(f"seed: manage.py import_reference {workbook}")
        call_command("import_reference", workbook)
    if not ReferenceAnalysis.objects.exists():
        seed_fallback_library()
    print(f"seed: reference library has {ReferenceAnalysis.objects.count()} analyses")


def seed_fallback_library() -> None:
    from django.db import transaction

    from ahsp.models import ReferenceComponent, ReferenceResource
    from ahsp.tests.factories import ReferenceAnalysisFactory

    print(f"seed: reference library empty; adding {len(FALLBACK_ANALYSES)} built-in analyses")
    with transaction.atomic():
        resources = {}
        for key, (code, name, unit, category) in FALLBACK_RESOURCES.items():
            resources[key], _ = ReferenceResource.objects.get_or_create(
                code=code, defaults={"name": name, "unit": unit, "category": category}
            )
        for index, (code, name, unit, material) in enumerate(FALLBACK_ANALYSES):
            analysis = ReferenceAnalysisFactory(source=FALLBACK_SOURCE, code=code, name=name, unit=unit)
            lines = [("pekerja", "0.750"), ("tukang", "0.250"), ("mandor", "0.025")]
            if material:
                lines.append((material, str(1 + index % 5)))
            ReferenceComponent.objects.bulk_create(
                ReferenceComponent(
                    analysis=analysis,
                    position=position,
                    resource=resources[key],
                    unit=resources[key].unit,
                    coefficient=Decimal(coefficient),
                    raw_coefficient=coefficient,
                )
                for position, (key, coefficient) in enumerate(lines, start=1)
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10, help="number of accounts (default 10)")
    parser.add_argument("--projects", type=int, default=45, help="projects per account (default 45)")
    parser.add_argument(
        "--estimates",
        type=int,
        default=5,
        help="projects per account (the most recently updated) with an estimate (default 5)",
    )
    args = parser.parse_args(argv)
    if args.users < 1 or args.projects < 1:
        parser.error("--users and --projects must be at least 1")
    if not 0 <= args.estimates <= args.projects:
        parser.error("--estimates must be between 0 and --projects")
    setup_django()
    users = seed_users(args.users)
    seed_projects(users, args.projects)
    seed_estimates(users, args.estimates)
    seed_schedules(users, args.estimates)
    seed_audit_history(users, args.estimates)
    seed_reference_library()
    return 0


if __name__ == "__main__":
    sys.exit(main())
