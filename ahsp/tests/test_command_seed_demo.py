"""`manage.py seed_demo`: loads the demo library, users and projects, and a re-run changes nothing."""

from decimal import Decimal
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ahsp.demo import library as demo_data
from ahsp.management.commands import seed_demo
from ahsp.models import (
    AuditEvent,
    Project,
    ReferenceAnalysis,
    ReferenceComponent,
    ReferenceResource,
    User,
)
from ahsp.tests.factories import ReferenceComponentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug_on(settings):
    settings.DEBUG = True


def run_seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    """Every row the command may write, with every column (timestamps and password hashes included)."""
    models = [
        ReferenceResource,
        ReferenceAnalysis,
        ReferenceComponent,
        User,
        EmailAddress,
        Project,
        AuditEvent,
    ]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def test_seed_demo_loads_the_reference_set():
    run_seed()

    analyses = ReferenceAnalysis.objects.filter(source=demo_data.SOURCE)
    assert analyses.count() == len(demo_data.ANALYSES)
    assert ReferenceResource.objects.filter(code__in=[r.code for r in demo_data.RESOURCES]).count() == len(
        demo_data.RESOURCES
    )
    components = ReferenceComponent.objects.filter(analysis__source=demo_data.SOURCE)
    assert components.count() == sum(len(a.components) for a in demo_data.ANALYSES)

    galian = analyses.get(code="DEMO.2.1")
    assert galian.unit == "m3"
    assert galian.search_text == ReferenceAnalysis.build_search_text(galian.code, galian.name)
    assert galian.sort_key == ReferenceAnalysis.build_sort_key("DEMO.2.1")
    lines = {c.resource.name: (c.coefficient, c.unit) for c in galian.components.select_related("resource")}
    assert lines == {"Pekerja": (Decimal("0.750"), "OH"), "Mandor": (Decimal("0.025"), "OH")}
    assert ReferenceResource.objects.get(code="TK.9001").category == "labour"


def test_seed_demo_links_nested_analyses():
    run_seed()

    slab = ReferenceAnalysis.objects.get(source=demo_data.SOURCE, code="DEMO.3.7")
    lines = list(slab.components.select_related("nested_analysis").order_by("position"))
    assert [(c.nested_analysis.code, c.unit, c.coefficient) for c in lines] == [
        ("DEMO.3.3", "m3", Decimal("0.120")),
        ("DEMO.3.4", "kg", Decimal("18.000")),
        ("DEMO.3.6", "m2", Decimal("1.000")),
    ]
    assert all(c.resource_id is None for c in lines)
    beton = ReferenceAnalysis.objects.get(source=demo_data.SOURCE, code="DEMO.3.3")
    assert beton.used_in.filter(analysis=slab).exists()


def test_seed_demo_twice_changes_nothing():
    first_output = run_seed()
    before = snapshot()

    second_output = run_seed()

    assert snapshot() == before
    assert User.objects.filter(email="demo@ahsp.local").count() == 1
    assert Project.objects.filter(owner__email="demo@ahsp.local").count() == 2
    assert "24 analisa (baru 24, diubah 0)" in first_output
    assert "(baru 0, diubah 0)" in second_output
    assert "baru 0, diubah 0, dihapus 0" in second_output


def test_seed_demo_repairs_edited_demo_rows():
    run_seed()
    galian = ReferenceAnalysis.objects.get(source=demo_data.SOURCE, code="DEMO.2.1")
    galian.components.filter(resource__name="Pekerja").update(coefficient=Decimal("9"))
    ReferenceComponentFactory(
        analysis=galian, position=99, resource=ReferenceResource.objects.get(code="B.9001"), coefficient=1
    )
    demo = User.objects.get(email="demo@ahsp.local")
    demo.set_password("something-else")
    demo.save()

    output = run_seed()

    assert galian.components.get(resource__name="Pekerja").coefficient == Decimal("0.750")
    assert not galian.components.filter(position=99).exists()
    assert "diubah 1, dihapus 1" in output
    demo.refresh_from_db()
    assert demo.check_password("demo12345")


def test_seed_demo_users_can_log_in():
    run_seed()

    demo = authenticate(request=None, email="demo@ahsp.local", password="demo12345")
    staff = authenticate(request=None, email="admin@ahsp.local", password="admin12345")

    assert demo is not None and demo.email == "demo@ahsp.local"
    assert not demo.is_staff and not demo.is_superuser
    assert staff is not None and staff.is_staff and staff.is_superuser
    assert authenticate(request=None, email="demo@ahsp.local", password="wrong-password") is None
    for user in (demo, staff):
        address = EmailAddress.objects.get(user=user)
        assert address.email == user.email and address.verified and address.primary
        assert user.username == user.email


def test_seed_demo_creates_two_projects_with_audit_events():
    run_seed()

    demo = User.objects.get(email="demo@ahsp.local")
    projects = {p.name: p for p in Project.objects.filter(owner=demo)}
    assert set(projects) == {
        "Pembangunan Gedung Kantor Desa Sukamaju",
        "Rehabilitasi Puskesmas Pembantu Desa Mekarsari",
    }
    office = projects["Pembangunan Gedung Kantor Desa Sukamaju"]
    assert office.client == "Pemerintah Desa Sukamaju"
    assert office.funding_source == "Dana Desa"
    assert office.fiscal_year == 2026
    assert office.budget_ceiling == Decimal("750000000.00")
    assert office.duration_weeks == 16
    clinic = projects["Rehabilitasi Puskesmas Pembantu Desa Mekarsari"]
    assert clinic.status == Project.Status.ACTIVE
    assert clinic.funding_source.startswith("APBD Kabupaten")

    events = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, target_type="project")
    assert sorted(e.project_id for e in events) == sorted(p.pk for p in projects.values())
    assert {e.actor_id for e in events} == {demo.pk}


def test_seed_demo_adds_no_projects_to_a_demo_user_who_has_some():
    run_seed()
    demo = User.objects.get(email="demo@ahsp.local")
    Project.objects.filter(owner=demo, name__startswith="Rehabilitasi").delete()

    output = run_seed()

    assert Project.objects.filter(owner=demo).count() == 1
    assert "tidak ditambah" in output


def test_seed_demo_prints_the_logins():
    output = run_seed()

    assert "Demo login: demo@ahsp.local / demo12345" in output
    assert "Staff login: admin@ahsp.local / admin12345" in output


def test_seed_demo_writes_nothing_when_a_step_fails(monkeypatch):
    def fail(user):
        raise RuntimeError("boom")

    monkeypatch.setattr(seed_demo, "ensure_projects", fail)

    with pytest.raises(RuntimeError):
        run_seed()

    assert not ReferenceAnalysis.objects.exists()
    assert not User.objects.exists()


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        run_seed()
    assert not User.objects.exists()

    run_seed(allow_without_debug=True)
    assert User.objects.filter(email="demo@ahsp.local").exists()


def test_seeded_app_shows_the_demo_projects_and_library(client):
    run_seed()
    client.force_login(User.objects.get(email="demo@ahsp.local"))

    dashboard = client.get(reverse("ahsp:dashboard"))
    detail = client.get(reverse("ahsp:reference_detail", args=["DEMO.3.7"]))

    assert dashboard.status_code == 200
    assert "Pembangunan Gedung Kantor Desa Sukamaju" in dashboard.text
    assert detail.status_code == 200
    assert "DEMO.3.3" in detail.text


def test_seed_demo_builds_a_complete_priced_estimate_for_the_first_project():
    from django.db.models import Sum

    from ahsp.demo.estimate import DEMO_BREAKDOWN
    from ahsp.models import ProjectResource, WorkItem

    run_seed()

    office = Project.objects.get(name="Pembangunan Gedung Kantor Desa Sukamaju")
    items = WorkItem.objects.filter(project=office)
    assert items.count() == sum(len(lines) for _name, lines in DEMO_BREAKDOWN)
    assert not ProjectResource.objects.filter(project=office, unit_price__isnull=True).exists()
    assert not items.filter(amount=0).exists()
    # Galian 38,4 m3: D = 0,750 x 110.000 + 0,025 x 160.000 = 82.500 + 4.000 = 86.500;
    # HSP = 86.500 x 1,10 = 95.150,00; amount = 38,4 x 95.150 = 3.653.760,00
    dig = items.get(analysis__code="DEMO.2.1")
    assert (dig.unit_rate, dig.amount) == (Decimal("95150.00"), Decimal("3653760.00"))
    assert items.aggregate(s=Sum("amount"))["s"] > Decimal("100000000")
