from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ahsp.models import (
    AnalysisComponent,
    AuditEvent,
    ProjectAnalysis,
    ProjectParameter,
    ProjectResource,
    WorkItem,
)
from ahsp.services import recalc, sections, work_items
from ahsp.tests.estimate_fixtures import make_reference_library
from ahsp.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(user):
    library = make_reference_library()
    project = ProjectFactory(owner=user)
    section = sections.create(project=project, name="Pekerjaan Tanah", by=user)
    return project, section, library


def price(project, code, value):
    ProjectResource.objects.filter(project=project, code=code).update(unit_price=Decimal(value))
    recalc.recalculate_project(project)


def test_add_from_reference_copies_analysis_resources_and_nested(setup, user):
    project, section, library = setup

    item = work_items.add_from_reference(project=project, section=section, reference=library["slab"], by=user)

    assert (item.name, item.unit, item.volume) == ("Plat lantai beton tebal 12 cm", "m2", Decimal("0"))
    codes = set(ProjectAnalysis.objects.filter(project=project).values_list("code", flat=True))
    assert codes == {"3.1.2.1", "3.1.1.10"}  # the nested concrete analysis came along
    slab = item.analysis
    assert slab.reference == library["slab"] and slab.reference_code == "3.1.2.1" and not slab.is_modified
    nested = AnalysisComponent.objects.get(analysis=slab)
    assert nested.nested_analysis.code == "3.1.1.10" and nested.coefficient == Decimal("0.12")
    assert set(ProjectResource.objects.filter(project=project).values_list("code", flat=True)) == {
        "B.1871",
        "TK.0008",
    }
    event = AuditEvent.objects.filter(target_type="workitem").get()
    assert event.action == "create" and event.project_id == project.pk


def test_adding_the_same_reference_twice_reuses_the_project_analysis(setup, user):
    project, section, library = setup
    first = work_items.add_from_reference(project=project, section=section, reference=library["dig"], by=user)
    second = work_items.add_from_reference(
        project=project, section=section, reference=library["dig"], by=user
    )
    assert first.analysis_id == second.analysis_id
    assert ProjectResource.objects.filter(project=project).count() == 2
    assert [first.position, second.position] == [0, 1]


def test_library_is_untouched_by_project_edits(setup, user):
    project, section, library = setup
    item = work_items.add_from_reference(project=project, section=section, reference=library["dig"], by=user)
    AnalysisComponent.objects.filter(analysis=item.analysis).update(coefficient=Decimal("9"))
    assert library["dig"].components.get(resource__code="TK.0008").coefficient == Decimal("0.75")


def test_volume_and_prices_give_hand_worked_amount(setup, user):
    """Galian: 0,75 OH x Rp 100.000 + 0,025 OH x Rp 150.000 = 75.000 + 3.750 = D 78.750;
    E = 10 % = 7.875; HSP = 86.625,00; volume 12,5 m3 -> amount 1.082.812,50."""
    project, section, library = setup
    item = work_items.add_from_reference(project=project, section=section, reference=library["dig"], by=user)
    ProjectResource.objects.filter(project=project, code="TK.0006").update(unit_price=Decimal("150000"))
    price(project, "TK.0008", "100000")

    item = work_items.set_volume(item=item, volume=Decimal("12.5"), expected_version=1, by=user)

    assert item.unit_rate == Decimal("86625.00")
    assert item.amount == Decimal("1082812.50")
    analysis = ProjectAnalysis.objects.get(pk=item.analysis_id)
    assert (analysis.labour, analysis.direct, analysis.missing_prices) == (
        Decimal("78750"),
        Decimal("78750"),
        0,
    )


def test_nested_analysis_price_flows_into_the_slab(setup, user):
    """Concrete D = 371 kg x Rp 1.300 + 1,65 OH x Rp 100.000 = 482.300 + 165.000 = 647.300.
    Slab D = 0,12 x 647.300 = 77.676; E = 7.767,60; HSP = 85.443,60."""
    project, section, library = setup
    item = work_items.add_from_reference(project=project, section=section, reference=library["slab"], by=user)
    ProjectResource.objects.filter(project=project, code="B.1871").update(unit_price=Decimal("1300"))
    price(project, "TK.0008", "100000")
    item.refresh_from_db()
    assert item.unit_rate == Decimal("85443.60")


def test_formula_volume_uses_parameters(setup, user):
    project, section, library = setup
    ProjectParameter.objects.create(project=project, name="panjang", value=Decimal("12"))
    ProjectParameter.objects.create(project=project, name="lebar", value=Decimal("8"))
    item = work_items.add_custom(project=project, section=section, name="Urugan pasir", unit="m3", by=user)

    item = work_items.set_volume(
        item=item, volume=None, formula="panjang * lebar * 0,15", expected_version=None, by=user
    )

    assert item.volume == Decimal("14.4000") and item.volume_formula == "panjang * lebar * 0,15"


@pytest.mark.parametrize(
    ("formula", "message"),
    [("panjang * tinggi", "tinggi"), ("1 / 0", "nol"), ("2 * (3", "Rumus tidak valid")],
)
def test_bad_formula_is_refused_and_nothing_changes(setup, user, formula, message):
    project, section, library = setup
    ProjectParameter.objects.create(project=project, name="panjang", value=Decimal("12"))
    item = work_items.add_custom(project=project, section=section, name="Urugan", unit="m3", by=user)

    with pytest.raises(ValidationError, match=message):
        work_items.set_volume(item=item, volume=None, formula=formula, expected_version=None, by=user)

    item.refresh_from_db()
    assert item.volume == 0 and item.volume_formula == "" and item.version == 1


def test_stale_version_is_a_conflict(setup, user):
    project, section, library = setup
    item = work_items.add_custom(project=project, section=section, name="Urugan", unit="m3", by=user)
    work_items.set_volume(item=item, volume=Decimal("1"), expected_version=1, by=user)
    with pytest.raises(work_items.ConflictError):
        work_items.set_volume(item=item, volume=Decimal("2"), expected_version=1, by=user)
    item.refresh_from_db()
    assert item.volume == Decimal("1")


def test_custom_items_get_their_own_analysis_codes(setup, user):
    project, section, library = setup
    a = work_items.add_custom(project=project, section=section, name="Pagar", unit="m'", by=user)
    b = work_items.add_custom(project=project, section=section, name="Papan nama", unit="bh", by=user)
    assert (a.analysis.code, b.analysis.code) == ("C.1", "C.2")


def test_move_reorders_and_move_to_section(setup, user):
    project, section, library = setup
    other = sections.create(project=project, name="Pekerjaan Beton", by=user)
    a = work_items.add_custom(project=project, section=section, name="A", unit="ls", by=user)
    b = work_items.add_custom(project=project, section=section, name="B", unit="ls", by=user)

    work_items.move(item=b, direction="up", by=user)
    assert list(
        WorkItem.objects.filter(section=section).order_by("position").values_list("name", flat=True)
    ) == [
        "B",
        "A",
    ]
    work_items.move(item=WorkItem.objects.get(pk=b.pk), direction="up", by=user)  # already first: no-op
    moved = work_items.move_to_section(item=a, section=other, by=user)
    assert moved.section == other and moved.position == 0


def test_delete_section_cascades_items_and_keeps_history(setup, user):
    project, section, library = setup
    item = work_items.add_custom(project=project, section=section, name="A", unit="ls", by=user)
    sections.delete(section=section, by=user)
    assert not WorkItem.objects.filter(pk=item.pk).exists()
    assert (
        AuditEvent.objects.filter(project_id=project.pk, target_type="section", action="delete").count() == 1
    )


def test_project_with_an_estimate_can_be_deleted(setup, user):
    from ahsp.services import projects

    project, section, library = setup
    work_items.add_from_reference(project=project, section=section, reference=library["slab"], by=user)
    projects.delete(project=project, by=user)
    assert not ProjectAnalysis.objects.exists() and not ProjectResource.objects.exists()


def test_sections_move_among_siblings_only(setup, user):
    project, first, library = setup
    second = sections.create(project=project, name="Beton", by=user)
    child = sections.create(project=project, name="Sub", parent=first, by=user)

    sections.move(section=second, direction="up", by=user)

    top = list(project.sections.filter(parent=None).order_by("position").values_list("name", flat=True))
    assert top == ["Beton", "Pekerjaan Tanah"]
    child.refresh_from_db()
    assert (child.parent_id, child.position) == (first.pk, 0)
    assert not sections.move(section=second, direction="up", by=user).position  # already first
    moves = AuditEvent.objects.filter(target_type="section", action="update")
    assert moves.count() == 1 and moves.get().after == {"position": 0}


def test_scoped_recalculation_touches_only_what_a_price_can_affect(setup, user):
    """Cement is used only by the concrete analysis, which the slab nests: a cement price change
    reprices concrete and slab, never the excavation."""
    project, section, library = setup
    dig = work_items.add_from_reference(project=project, section=section, reference=library["dig"], by=user)
    slab = work_items.add_from_reference(project=project, section=section, reference=library["slab"], by=user)
    cement = ProjectResource.objects.get(project=project, code="B.1871")
    ProjectResource.objects.filter(project=project).exclude(pk=cement.pk).update(unit_price=Decimal("100000"))
    recalc.recalculate_project(project)
    dig.refresh_from_db()
    dig_rate = dig.unit_rate
    ProjectResource.objects.filter(project=project, code="TK.0008").update(
        unit_price=Decimal("1")
    )  # not told

    cement.unit_price = Decimal("1300")
    cement.save()
    result = recalc.recalculate_project(project, resource_ids={cement.pk})

    assert result.analyses_changed == 2 and result.items_changed == 1
    dig.refresh_from_db()
    slab.refresh_from_db()
    assert dig.unit_rate == dig_rate  # out of scope: untouched even though Pekerja changed meanwhile
    # scoped values equal a full recalculation for the rows in scope:
    # concrete D = 371 x 1.300 + 1,65 x 1 = 482.301,65; slab D = 0,12 x that = 57.876,198; x 1,1 = 63.663,82
    assert slab.unit_rate == Decimal("63663.82")


# ---------------------------------------------------------------------------------------------- lump sum


def test_add_custom_with_direct_price_without_buk(setup, user):
    """Mobilisasi, 1 ls at Rp 1.234.567,89, project BUK 10 %: the analysis C.1 is one "other" resource L.01
    with coefficient 1; HSP = 1.234.567,89 x 1,1 = 1.358.024,679 -> 1.358.024,68 (volume 0: amount 0)."""
    project, section, _library = setup
    before = AuditEvent.objects.filter(project_id=project.pk).count()

    item = work_items.add_custom(
        project=project,
        section=section,
        name="Mobilisasi",
        unit="ls",
        unit_price=Decimal("1234567.89"),
        by=user,
    )

    assert item.analysis.code == "C.1" and item.unit_rate == Decimal("1358024.68")
    assert item.overhead_pct_override is None
    (line,) = item.analysis.components.select_related("resource")
    assert line.coefficient == Decimal("1")
    assert (line.resource.code, line.resource.name, line.resource.unit, line.resource.category) == (
        "L.01",
        "Mobilisasi",
        "ls",
        "other",
    )
    assert line.resource.unit_price == Decimal("1234567.89")
    event = AuditEvent.objects.filter(project_id=project.pk).first()
    assert AuditEvent.objects.filter(project_id=project.pk).count() == before + 1
    assert event.action == "create" and event.after["direct_unit_price"] == "1234567.89"
    assert "overhead_pct_override" not in event.after
    assert "harga satuan langsung Rp 1.234.567,89 per ls, belum termasuk BUK" in event.summary


def test_add_custom_with_direct_price_including_buk(setup, user):
    """Price includes BUK: the item's own BUK 0 %, HSP = the price; volume 13,632 ->
    amount 13,632 x 1.234.567,89 = 16.829.629,47648 -> 16.829.629,48."""
    project, section, _library = setup

    item = work_items.add_custom(
        project=project,
        section=section,
        name="SMK3",
        unit="ls",
        unit_price=Decimal("1234567.89"),
        price_includes_overhead=True,
        by=user,
    )
    item = work_items.set_volume(item=item, volume=Decimal("13.632"), expected_version=None, by=user)

    assert item.overhead_pct_override == Decimal("0") and item.unit_rate == Decimal("1234567.89")
    assert item.amount == Decimal("16829629.48")
    event = AuditEvent.objects.filter(project_id=project.pk, action="create", target_type="workitem").first()
    assert event.after["overhead_pct_override"] == "0.00"


def test_add_custom_second_direct_price_gets_next_code(setup, user):
    project, section, _library = setup
    work_items.add_custom(
        project=project, section=section, name="A", unit="ls", unit_price=Decimal("1"), by=user
    )

    item = work_items.add_custom(
        project=project, section=section, name="B", unit="ls", unit_price=Decimal("2"), by=user
    )

    assert item.analysis.code == "C.2" and item.analysis.components.get().resource.code == "L.02"


def test_add_custom_negative_direct_price_writes_nothing(setup, user):
    project, section, _library = setup

    with pytest.raises(ValidationError, match="tidak boleh negatif"):
        work_items.add_custom(
            project=project, section=section, name="A", unit="ls", unit_price=Decimal("-1"), by=user
        )

    assert not WorkItem.objects.filter(project=project).exists()
    assert not ProjectAnalysis.objects.filter(project=project).exists()
