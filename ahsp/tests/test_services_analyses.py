"""ahsp.services.analyses: the analysis editor's writes (recalc, is_modified, one audit event each) and the
A/B/C/D/E/HSP sheets. Expected money values are worked out by hand in the comments."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ahsp import formatting
from ahsp.loaders import analyses as analysis_sheets
from ahsp.models import (
    AuditEvent,
    ProjectAnalysis,
    ProjectResource,
    ReferenceAnalysis,
    WorkItem,
)
from ahsp.services import analyses, recalc, sections, work_items
from ahsp.tests.factories import (
    AnalysisComponentFactory,
    ProjectAnalysisFactory,
    ProjectFactory,
    ProjectResourceFactory,
    ReferenceComponentFactory,
    ReferenceResourceFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal


# ---------------------------------------------------------------------------------------------- helpers


def custom_item(project, section, user, name, unit="m2", volume="0"):
    item = work_items.add_custom(project=project, section=section, name=name, unit=unit, by=user)
    WorkItem.objects.filter(pk=item.pk).update(volume=D(volume))
    return item


def build_priced_item(user, *, volume="2"):
    """A custom work item (analysis C.1, BUK 10 %) worked out by hand:

    Pekerja 0,75 OH x Rp 100.000 = 75.000; Mandor 0,025 OH x Rp 150.000 = 3.750 -> A = 78.750
    Semen 10 kg x Rp 1.300 = 13.000 -> B = 13.000; C = 0; D = 91.750; E = 10 % x D = 9.175
    HSP = 100.925,00; amount = 2 x 100.925 = 201.850,00.
    """
    project = ProjectFactory(owner=user, overhead_profit_pct=D("10"))
    section = sections.create(project=project, name="Pekerjaan Plesteran", by=user)
    item = custom_item(project, section, user, "Plesteran 1 m2", volume=volume)
    pekerja = ProjectResourceFactory(
        project=project, code="L.01", name="Pekerja", unit="OH", category="labour", unit_price=D("100000")
    )
    mandor = ProjectResourceFactory(
        project=project, code="L.04", name="Mandor", unit="OH", category="labour", unit_price=D("150000")
    )
    semen = ProjectResourceFactory(
        project=project,
        code="B.01",
        name="Semen Portland",
        unit="kg",
        category="material",
        unit_price=D("1300"),
    )
    AnalysisComponentFactory(analysis=item.analysis, resource=pekerja, coefficient=D("0.75"), position=0)
    AnalysisComponentFactory(analysis=item.analysis, resource=mandor, coefficient=D("0.025"), position=1)
    AnalysisComponentFactory(analysis=item.analysis, resource=semen, coefficient=D("10"), position=2)
    recalc.recalculate_project(project)
    item.refresh_from_db()
    return project, section, item


def build_reference():
    """Reference 2.2.1.1 (Pekerja 0,75; Mandor 0,025; Semen 10) nesting nothing, and 2.2.9.9 nesting it."""
    pekerja = ReferenceResourceFactory(code="L.01", name="Pekerja", unit="OH", category="labour")
    mandor = ReferenceResourceFactory(code="L.04", name="Mandor", unit="OH", category="labour")
    semen = ReferenceResourceFactory(code="B.01", name="Semen Portland", unit="kg", category="material")
    base = ReferenceAnalysis.objects.create(
        source="SNI 2025", code="2.2.1.1", name="Plesteran 1 m2", unit="m2"
    )
    for position, (resource, k) in enumerate([(pekerja, "0.75"), (mandor, "0.025"), (semen, "10")]):
        ReferenceComponentFactory(analysis=base, resource=resource, coefficient=D(k), position=position)
    outer = ReferenceAnalysis.objects.create(
        source="SNI 2025", code="2.2.9.9", name="Dinding 1 m2", unit="m2"
    )
    ReferenceComponentFactory(analysis=outer, nested_analysis=base, coefficient=D("2"), position=0)
    ReferenceComponentFactory(analysis=outer, resource=mandor, coefficient=D("0.01"), position=1)
    return base, outer


def reference_item(user, reference, *, volume="2"):
    project = ProjectFactory(owner=user, overhead_profit_pct=D("10"))
    section = sections.create(project=project, name="Pekerjaan Dinding", by=user)
    item = work_items.add_from_reference(project=project, section=section, reference=reference, by=user)
    ProjectResource.objects.filter(project=project, code="L.01").update(unit_price=D("100000"))
    ProjectResource.objects.filter(project=project, code="L.04").update(unit_price=D("150000"))
    ProjectResource.objects.filter(project=project, code="B.01").update(unit_price=D("1300"))
    WorkItem.objects.filter(pk=item.pk).update(volume=D(volume))
    recalc.recalculate_project(project)
    item.refresh_from_db()
    return project, section, item


def coefficients(analysis):
    return [
        (c.resource.code if c.resource_id else f"@{c.nested_analysis.code}", c.coefficient)
        for c in analysis.components.select_related("resource", "nested_analysis").order_by("position", "id")
    ]


def audit_count(project):
    return AuditEvent.objects.filter(project_id=project.pk).count()


# ---------------------------------------------------------------------------------------------- sheets


def test_load_item_sheet_hand_worked_values(user):
    project, _section, item = build_priced_item(user)

    sheet = analysis_sheets.load_item_sheet(project=project, item=item)

    groups = {g.key: g for g in sheet.groups}
    assert [g.key for g in sheet.groups] == ["labour", "material", "equipment"]
    assert [row.amount for row in groups["labour"].rows] == [D("75000"), D("3750")]
    assert groups["labour"].subtotal == D("78750")
    assert groups["material"].subtotal == D("13000")
    assert groups["equipment"].subtotal == D("0") and groups["equipment"].rows == ()
    assert sheet.direct == D("91750")
    assert sheet.overhead == D("9175")
    assert sheet.unit_rate == D("100925.00") == item.unit_rate
    assert item.amount == D("201850.00")
    assert sheet.item_count == 1 and sheet.used_in_count == 0


def test_load_item_sheet_nested_priced_at_nested_d_without_overhead(user):
    """N (beton 1 m3): Pekerja 1 x 100.000 = 100.000 (A), Semen 300 x 1.300 = 390.000 (B) -> D_N = 490.000.
    M: Mandor 0,1 x 150.000 = 15.000 (A) + 0,12 x D_N = 58.800 -> D_M = 73.800; E = 7.380; HSP = 81.180,00."""
    project = ProjectFactory(owner=user, overhead_profit_pct=D("10"))
    section = sections.create(project=project, name="Beton", by=user)
    main = custom_item(project, section, user, "Pelat 1 m2", volume="1")
    nested_item = custom_item(project, section, user, "Beton 1 m3", unit="m3")
    pekerja = ProjectResourceFactory(
        project=project, code="L.01", name="Pekerja", unit="OH", category="labour", unit_price=D("100000")
    )
    mandor = ProjectResourceFactory(
        project=project, code="L.04", name="Mandor", unit="OH", category="labour", unit_price=D("150000")
    )
    semen = ProjectResourceFactory(
        project=project,
        code="B.01",
        name="Semen Portland",
        unit="kg",
        category="material",
        unit_price=D("1300"),
    )
    AnalysisComponentFactory(analysis=nested_item.analysis, resource=pekerja, coefficient=D("1"))
    AnalysisComponentFactory(analysis=nested_item.analysis, resource=semen, coefficient=D("300"), position=1)
    AnalysisComponentFactory(analysis=main.analysis, resource=mandor, coefficient=D("0.1"))
    AnalysisComponentFactory(
        analysis=main.analysis, nested_analysis=nested_item.analysis, coefficient=D("0.12"), position=1
    )
    recalc.recalculate_project(project)
    main.refresh_from_db()

    sheet = analysis_sheets.load_item_sheet(project=project, item=main)

    groups = {g.key: g for g in sheet.groups}
    (nested_row,) = groups["nested"].rows
    assert nested_row.unit_price == D("490000") and nested_row.amount == D("58800")
    assert nested_row.nested_id == nested_item.analysis_id
    assert groups["labour"].subtotal == D("15000")
    assert sheet.direct == D("73800") and sheet.overhead == D("7380")
    assert sheet.unit_rate == D("81180.00") == main.unit_rate
    assert "analisa bersarang" in sheet.direct_parts


def test_load_project_sheets_natural_code_order_and_counts(user):
    project = ProjectFactory(owner=user)
    for code in ["1.10", "1.2", "A.1"]:
        ProjectAnalysisFactory(project=project, code=code, name=f"Analisa {code}", unit="m2")

    sheets = analysis_sheets.load_project_sheets(project=project)

    assert [s.analysis.code for s in sheets] == ["1.2", "1.10", "A.1"]
    assert all(s.item_count == 0 and s.direct == 0 for s in sheets)


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [("0.75", 2, "0,75"), ("1.125", 3, "1,125"), ("0.000125", 6, "0,000125"), ("1234", 0, "1.234")],
)
def test_coefficient_places_trim_trailing_zeros(value, places, text):
    """Issue 11 §12: three decimals are fine now that "1,125" reads as 1.125 (§10)."""
    assert formatting.coefficient_places(D(value)) == places
    assert formatting.format_coefficient(D(value)) == text


# ---------------------------------------------------------------------------------------------- set_coefficient


def test_set_coefficient_recalculates_and_audits_once(user):
    project, _section, item = build_priced_item(user)
    component = item.analysis.components.get(resource__code="L.01")
    before = audit_count(project)

    analyses.set_coefficient(component=component, coefficient=D("0.8"), by=user)

    # A = 0,8 x 100.000 + 3.750 = 83.750; D = 96.750; E = 9.675; HSP = 106.425; amount = 212.850
    item.refresh_from_db()
    assert item.unit_rate == D("106425.00") and item.amount == D("212850.00")
    assert audit_count(project) == before + 1
    event = AuditEvent.objects.filter(project_id=project.pk).first()
    assert event.action == "update" and event.target_type == "projectanalysis"
    old, new = formatting.format_coefficient(D("0.75")), formatting.format_coefficient(D("0.8"))
    assert f"diubah dari {old} menjadi {new}" in event.summary
    assert ["L.01", "0.75"] in event.before["components"] and ["L.01", "0.8"] in event.after["components"]
    assert item.analysis.reference_id is None
    assert (
        ProjectAnalysis.objects.get(pk=item.analysis_id).is_modified is False
    )  # custom: nothing to differ from


def test_set_coefficient_same_value_writes_nothing(user):
    project, _section, item = build_priced_item(user)
    component = item.analysis.components.get(resource__code="L.01")
    before = audit_count(project)

    analyses.set_coefficient(component=component, coefficient=D("0.750"), by=user)

    assert audit_count(project) == before


def test_set_coefficient_negative_refused(user):
    project, _section, item = build_priced_item(user)
    component = item.analysis.components.get(resource__code="L.01")
    before = audit_count(project)

    with pytest.raises(ValidationError):
        analyses.set_coefficient(component=component, coefficient=D("-1"), by=user)

    component.refresh_from_db()
    assert component.coefficient == D("0.75") and audit_count(project) == before


def test_set_coefficient_on_reference_copy_toggles_is_modified(user):
    base, _outer = build_reference()
    project, _section, item = reference_item(user, base)
    component = item.analysis.components.get(resource__code="L.01")

    analyses.set_coefficient(component=component, coefficient=D("0.8"), by=user)
    assert ProjectAnalysis.objects.get(pk=item.analysis_id).is_modified is True

    analyses.set_coefficient(component=component, coefficient=D("0.75"), by=user)
    assert ProjectAnalysis.objects.get(pk=item.analysis_id).is_modified is False


# ---------------------------------------------------------------------------------------------- add / remove


def test_add_project_resource_component(user):
    project, _section, item = build_priced_item(user)
    molen = ProjectResourceFactory(
        project=project, code="E.06", name="Molen", unit="jam", category="equipment", unit_price=D("50000")
    )

    component = analyses.add_resource_component(
        analysis=item.analysis, resource=molen, coefficient=D("0.1"), by=user
    )

    # C = 0,1 x 50.000 = 5.000 -> D = 96.750; E = 9.675; HSP = 106.425
    item.refresh_from_db()
    assert component.position == 3
    assert item.unit_rate == D("106425.00")
    assert AuditEvent.objects.filter(project_id=project.pk, summary__contains="E.06").count() == 1


def test_add_reference_resource_copies_it_once_without_price(user):
    project, _section, item = build_priced_item(user)
    pasir = ReferenceResourceFactory(code="B.05", name="Pasir pasang", unit="m3", category="material")
    before = audit_count(project)

    analyses.add_resource_component(
        analysis=item.analysis, reference_resource=pasir, coefficient=D("0.02"), by=user
    )

    copied = ProjectResource.objects.get(project=project, code="B.05")
    assert copied.reference_id == pasir.pk and copied.unit_price is None and copied.category == "material"
    assert audit_count(project) == before + 1
    analysis = ProjectAnalysis.objects.get(pk=item.analysis_id)
    assert analysis.missing_prices == 1
    item.refresh_from_db()
    assert item.unit_rate == D("100925.00")  # a missing price counts as 0


def test_add_reference_resource_reuses_project_resource_with_same_code(user):
    project, section, item = build_priced_item(user)
    other = custom_item(project, section, user, "Acian")
    semen_ref = ReferenceResourceFactory(code="B.01", name="Semen PC", unit="kg", category="material")

    analyses.add_resource_component(
        analysis=other.analysis, reference_resource=semen_ref, coefficient=D("3"), by=user
    )

    assert ProjectResource.objects.filter(project=project, code="B.01").count() == 1
    other.refresh_from_db()
    # 3 x 1.300 = 3.900; E = 390; HSP = 4.290
    assert other.unit_rate == D("4290.00")


def test_add_duplicate_resource_refused(user):
    project, _section, item = build_priced_item(user)
    semen = ProjectResource.objects.get(project=project, code="B.01")

    with pytest.raises(ValidationError, match="sudah ada di analisa ini"):
        analyses.add_resource_component(analysis=item.analysis, resource=semen, coefficient=D("1"), by=user)


def test_add_resource_of_another_project_refused(user, other_user):
    _project, _section, item = build_priced_item(user)
    foreign = ProjectResourceFactory(
        project=ProjectFactory(owner=other_user),
        code="X.1",
        name="Asing",
        unit="bh",
        category="material",
        unit_price=D("1"),
    )

    with pytest.raises(ValidationError, match="bukan milik proyek ini"):
        analyses.add_resource_component(analysis=item.analysis, resource=foreign, coefficient=D("1"), by=user)
    assert not item.analysis.components.filter(resource=foreign).exists()


def test_remove_component_recalculates_and_audits(user):
    project, _section, item = build_priced_item(user)
    semen = item.analysis.components.get(resource__code="B.01")
    before = audit_count(project)

    analyses.remove_component(component=semen, by=user)

    # D = 78.750; E = 7.875; HSP = 86.625
    item.refresh_from_db()
    assert item.unit_rate == D("86625.00")
    assert audit_count(project) == before + 1
    assert not item.analysis.components.filter(resource__code="B.01").exists()


# ---------------------------------------------------------------------------------------------- nested, cycles


def three_analyses(user):
    project = ProjectFactory(owner=user, overhead_profit_pct=D("10"))
    section = sections.create(project=project, name="Struktur", by=user)
    a = custom_item(project, section, user, "Pelat").analysis  # C.1
    b = custom_item(project, section, user, "Beton").analysis  # C.2
    c = custom_item(project, section, user, "Bekisting").analysis  # C.3
    return project, a, b, c


def test_add_nested_component_reprices(user):
    project, a, b, _c = three_analyses(user)
    pekerja = ProjectResourceFactory(
        project=project, code="L.01", name="Pekerja", unit="OH", category="labour", unit_price=D("100000")
    )
    AnalysisComponentFactory(analysis=b, resource=pekerja, coefficient=D("2"))
    recalc.recalculate_project(project)

    analyses.add_nested_component(analysis=a, nested=b, coefficient=D("0.5"), by=user)

    # D_b = 200.000; a uses 0,5 b -> D_a = 100.000; E = 10.000; HSP = 110.000
    item = WorkItem.objects.get(analysis=a)
    assert item.unit_rate == D("110000.00")
    assert (
        AuditEvent.objects.filter(project_id=project.pk, summary__contains="dipakai di analisa C.1").count()
        == 1
    )


def test_nested_self_refused_with_chain(user):
    project, a, _b, _c = three_analyses(user)
    before = audit_count(project)

    with pytest.raises(ValidationError) as excinfo:
        analyses.add_nested_component(analysis=a, nested=a, coefficient=D("1"), by=user)

    assert "lingkaran: C.1 → C.1" in excinfo.value.messages[0]
    assert not a.components.exists() and audit_count(project) == before


def test_nested_two_step_cycle_refused_with_chain(user):
    project, a, b, _c = three_analyses(user)
    analyses.add_nested_component(analysis=a, nested=b, coefficient=D("1"), by=user)
    before = audit_count(project)

    with pytest.raises(ValidationError) as excinfo:
        analyses.add_nested_component(analysis=b, nested=a, coefficient=D("1"), by=user)

    assert "lingkaran: C.2 → C.1 → C.2" in excinfo.value.messages[0]
    assert not b.components.exists() and audit_count(project) == before


def test_nested_three_step_cycle_refused_with_chain(user):
    _project, a, b, c = three_analyses(user)
    analyses.add_nested_component(analysis=a, nested=b, coefficient=D("1"), by=user)
    analyses.add_nested_component(analysis=b, nested=c, coefficient=D("1"), by=user)

    with pytest.raises(ValidationError, match="C.3 → C.1 → C.2 → C.3"):
        analyses.add_nested_component(analysis=c, nested=a, coefficient=D("1"), by=user)


def test_nested_diamond_is_not_a_cycle(user):
    _project, a, b, c = three_analyses(user)
    analyses.add_nested_component(analysis=a, nested=b, coefficient=D("1"), by=user)
    analyses.add_nested_component(analysis=b, nested=c, coefficient=D("1"), by=user)

    analyses.add_nested_component(analysis=a, nested=c, coefficient=D("1"), by=user)

    assert a.components.count() == 2


def test_nested_of_another_project_refused(user, other_user):
    _project, a, _b, _c = three_analyses(user)
    foreign = ProjectAnalysisFactory(project=ProjectFactory(owner=other_user), code="X", name="X", unit="m")

    with pytest.raises(ValidationError, match="bukan milik proyek ini"):
        analyses.add_nested_component(analysis=a, nested=foreign, coefficient=D("1"), by=user)


# ---------------------------------------------------------------------------------------------- reset


def test_reset_to_reference_restores_coefficients_and_clears_modified(user):
    base, _outer = build_reference()
    project, _section, item = reference_item(user, base)
    analysis = item.analysis
    original = coefficients(analysis)
    analyses.set_coefficient(
        component=analysis.components.get(resource__code="L.01"), coefficient=D("2"), by=user
    )
    analyses.remove_component(component=analysis.components.get(resource__code="B.01"), by=user)
    molen = ProjectResourceFactory(
        project=project, code="E.06", name="Molen", unit="jam", category="equipment", unit_price=D("50000")
    )
    analyses.add_resource_component(analysis=analysis, resource=molen, coefficient=D("1"), by=user)
    assert ProjectAnalysis.objects.get(pk=analysis.pk).is_modified is True
    before = audit_count(project)

    analyses.reset_to_reference(analysis=analysis, by=user)

    analysis.refresh_from_db()
    assert coefficients(analysis) == original
    assert analysis.is_modified is False
    item.refresh_from_db()
    assert item.unit_rate == D("100925.00") and item.amount == D("201850.00")
    assert audit_count(project) == before + 1
    assert ProjectResource.objects.get(project=project, code="L.01").unit_price == D("100000")  # prices kept


def test_reset_restores_nested_reference_analysis(user):
    _base, outer = build_reference()
    project, _section, item = reference_item(user, outer)
    analysis = item.analysis
    nested = ProjectAnalysis.objects.get(project=project, code="2.2.1.1")
    analyses.remove_component(component=analysis.components.get(nested_analysis=nested), by=user)
    assert ProjectAnalysis.objects.get(pk=analysis.pk).is_modified is True

    analyses.reset_to_reference(analysis=analysis, by=user)

    analysis.refresh_from_db()
    assert coefficients(analysis) == [("@2.2.1.1", D("2")), ("L.04", D("0.01"))]
    assert analysis.is_modified is False
    assert ProjectAnalysis.objects.filter(project=project, code="2.2.1.1").count() == 1  # reused, not copied
    # 2 x D(2.2.1.1) = 2 x 91.750 = 183.500 (+ Mandor 0,01 x 150.000 = 1.500) -> D = 185.000; HSP = 203.500
    item.refresh_from_db()
    assert item.unit_rate == D("203500.00")


def test_reset_refuses_cycle_through_project_edits(user):
    _base, outer = build_reference()
    project, _section, item = reference_item(user, outer)
    analysis = item.analysis
    nested = ProjectAnalysis.objects.get(project=project, code="2.2.1.1")
    analyses.remove_component(component=analysis.components.get(nested_analysis=nested), by=user)
    analyses.add_nested_component(analysis=nested, nested=analysis, coefficient=D("1"), by=user)
    kept = coefficients(analysis)
    before = audit_count(project)

    with pytest.raises(ValidationError, match="2.2.9.9 → 2.2.1.1 → 2.2.9.9"):
        analyses.reset_to_reference(analysis=analysis, by=user)

    assert coefficients(analysis) == kept and audit_count(project) == before


def test_reset_refused_for_custom_analysis(user):
    project, _section, item = build_priced_item(user)
    before = audit_count(project)

    with pytest.raises(ValidationError, match="tidak berasal dari AHSP referensi"):
        analyses.reset_to_reference(analysis=item.analysis, by=user)

    assert item.analysis.components.count() == 3 and audit_count(project) == before


# ---------------------------------------------------------------------------------------------- BUK override


def test_set_overhead_override_and_back_to_project(user):
    project, _section, item = build_priced_item(user)
    before = audit_count(project)

    item = analyses.set_overhead_override(item=item, pct=D("12.5"), by=user)

    # E = 12,5 % x 91.750 = 11.468,75; HSP = 103.218,75; amount = 206.437,50
    assert item.overhead_pct_override == D("12.50")
    assert item.unit_rate == D("103218.75") and item.amount == D("206437.50")
    assert audit_count(project) == before + 1
    event = AuditEvent.objects.filter(project_id=project.pk).first()
    assert event.target_type == "workitem" and event.after["overhead_pct_override"] == "12.50"

    item = analyses.set_overhead_override(item=item, pct=None, by=user)

    assert item.overhead_pct_override is None and item.unit_rate == D("100925.00")
    assert audit_count(project) == before + 2


@pytest.mark.parametrize("pct", ["100.01", "-0.01", "150"])
def test_set_overhead_override_out_of_range_refused(user, pct):
    project, _section, item = build_priced_item(user)
    before = audit_count(project)

    with pytest.raises(ValidationError, match="antara 0 dan 100"):
        analyses.set_overhead_override(item=item, pct=D(pct), by=user)

    item.refresh_from_db()
    assert item.overhead_pct_override is None and audit_count(project) == before


def test_set_overhead_override_fifteen_and_zero_allowed(user):
    _project, _section, item = build_priced_item(user)
    assert analyses.set_overhead_override(item=item, pct=D("15"), by=user).unit_rate == D("105512.50")
    assert analyses.set_overhead_override(item=item, pct=D("0"), by=user).unit_rate == D("91750.00")


def test_set_overhead_override_above_the_government_ceiling_allowed(user):
    """Private estimates: 0-100 %. D = 91.750 (build_priced_item), volume 2.
    20 %:    E = 18.350; HSP = 110.100,00; amount 220.200,00
    37,55 %: E = 34.452,125; HSP = 126.202,125 -> 126.202,13; amount 252.404,26
    100 %:   HSP = 183.500,00"""
    project, _section, item = build_priced_item(user)
    before = audit_count(project)

    item = analyses.set_overhead_override(item=item, pct=D("20"), by=user)
    assert (item.overhead_pct_override, item.unit_rate, item.amount) == (
        D("20.00"),
        D("110100.00"),
        D("220200.00"),
    )
    item = analyses.set_overhead_override(item=item, pct=D("37.55"), by=user)
    assert (item.unit_rate, item.amount) == (D("126202.13"), D("252404.26"))
    assert analyses.set_overhead_override(item=item, pct=D("100"), by=user).unit_rate == D("183500.00")
    assert audit_count(project) == before + 3


# ---------------------------------------------------------------------------------------------- search


def test_search_resources_project_first_then_reference_not_in_project(user):
    project, _section, _item = build_priced_item(user)
    ReferenceResourceFactory(code="B.01", name="Semen Portland", unit="kg", category="material")
    ReferenceResourceFactory(code="B.02", name="Semen putih", unit="kg", category="material")
    ReferenceResourceFactory(code="B.05", name="Pasir", unit="m3", category="material")

    own, reference = analysis_sheets.search_resources(project=project, query="semen")

    assert [r.code for r in own] == ["B.01"]
    assert [r.code for r in reference] == ["B.02"]
    assert analysis_sheets.search_resources(project=project, query="  ") == ([], [])


# ---------------------------------------------------------------------------------------------- per-item copies


def shared_setup(user):
    """Two items from 2.2.1.1 (plesteran lantai 1 and 2) and two from 2.2.9.9 (which nests 2.2.1.1), so the
    project analysis 2.2.1.1 is used by two work items and nested in a third analysis. Prices:
    Pekerja Rp 1.234.567,89; Mandor Rp 150.000; Semen Rp 1.300; BUK 10 %.

    2.2.1.1: D = 0,75 x 1.234.567,89 + 0,025 x 150.000 + 10 x 1.300 = 925.925,9175 + 3.750 + 13.000
             = 942.675,9175; HSP = 1,1 x D = 1.036.943,50925 -> 1.036.943,51
    2.2.9.9: D = 2 x 942.675,9175 + 0,01 x 150.000 = 1.886.851,835; HSP = 2.075.537,0185 -> 2.075.537,02
    """
    base, outer = build_reference()
    project = ProjectFactory(owner=user, overhead_profit_pct=D("10"))
    section = sections.create(project=project, name="Pekerjaan Dinding", by=user)
    first = work_items.add_from_reference(project=project, section=section, reference=base, by=user)
    second = work_items.add_from_reference(project=project, section=section, reference=base, by=user)
    wall = work_items.add_from_reference(project=project, section=section, reference=outer, by=user)
    wall2 = work_items.add_from_reference(project=project, section=section, reference=outer, by=user)
    for code, price in (("L.01", "1234567.89"), ("L.04", "150000"), ("B.01", "1300")):
        ProjectResource.objects.filter(project=project, code=code).update(unit_price=D(price))
    WorkItem.objects.filter(pk=first.pk).update(volume=D("13.632"), name="Plesteran lantai 1")
    WorkItem.objects.filter(pk=second.pk).update(volume=D("2"), name="Plesteran lantai 2")
    recalc.recalculate_project(project)
    return project, *(WorkItem.objects.get(pk=i.pk) for i in (first, second, wall, wall2))


def test_shared_setup_hand_worked(user):
    _project, first, second, wall, _wall2 = shared_setup(user)
    assert first.analysis_id == second.analysis_id
    assert first.unit_rate == second.unit_rate == D("1036943.51")
    assert wall.unit_rate == D("2075537.02")
    assert analysis_sheets.shared_with(item=first) == (1, 1)
    assert analysis_sheets.shared_with(item=wall) == (1, 0)


def test_make_item_variant_copies_and_repoints_one_audit_event(user):
    project, first, second, wall, _wall2 = shared_setup(user)
    original = first.analysis
    before = audit_count(project)

    item = analyses.make_item_variant(item=first, by=user)

    copy = item.analysis
    assert copy.pk != original.pk and copy.code == "2.2.1.1-a"
    assert (copy.name, copy.unit, copy.reference_id, copy.reference_code, copy.is_modified) == (
        original.name,
        original.unit,
        original.reference_id,
        "2.2.1.1",
        False,
    )
    assert (
        coefficients(copy)
        == coefficients(original)
        == [
            ("L.01", D("0.75")),
            ("L.04", D("0.025")),
            ("B.01", D("10")),
        ]
    )
    assert WorkItem.objects.get(pk=second.pk).analysis_id == original.pk  # the others keep the original
    assert wall.analysis.components.filter(nested_analysis=original).exists()
    assert item.unit_rate == D("1036943.51") and item.version == first.version + 1
    assert ProjectAnalysis.objects.get(pk=copy.pk).direct == D("942675.9175")
    assert audit_count(project) == before + 1
    event = AuditEvent.objects.filter(project_id=project.pk).first()
    assert (event.action, event.target_type, event.target_id) == ("update", "workitem", str(first.pk))
    assert event.before == {"analysis_code": "2.2.1.1", "analysis_id": original.pk}
    assert event.after == {"analysis_code": "2.2.1.1-a", "analysis_id": copy.pk}

    # still shared (the second item and 2.2.9.9): the next copy is -b
    assert analyses.make_item_variant(item=second, by=user).analysis.code == "2.2.1.1-b"


def test_make_item_variant_keeps_nested_references(user):
    project, _first, _second, wall, wall2 = shared_setup(user)
    nested = ProjectAnalysis.objects.get(project=project, code="2.2.1.1")

    item = analyses.make_item_variant(item=wall, by=user)

    assert item.analysis.code == "2.2.9.9-a"
    assert coefficients(item.analysis) == [("@2.2.1.1", D("2")), ("L.04", D("0.01"))]
    assert item.analysis.components.get(nested_analysis__isnull=False).nested_analysis_id == nested.pk
    assert item.unit_rate == WorkItem.objects.get(pk=wall2.pk).unit_rate == D("2075537.02")


def test_variant_of_a_variant_gets_the_next_letter_of_the_same_base(user):
    _project, first, second, _wall, _wall2 = shared_setup(user)
    copy = analyses.make_item_variant(item=first, by=user).analysis
    WorkItem.objects.filter(pk=second.pk).update(analysis=copy)  # both on 2.2.1.1-a now

    assert analyses.make_item_variant(item=second, by=user).analysis.code == "2.2.1.1-b"


def test_make_item_variant_refused_when_not_shared(user):
    project, _section, item = build_priced_item(user)
    before = audit_count(project)

    with pytest.raises(ValidationError, match="hanya dipakai oleh pekerjaan ini"):
        analyses.make_item_variant(item=item, by=user)

    assert ProjectAnalysis.objects.filter(project=project).count() == 1 and audit_count(project) == before


def test_set_coefficient_for_item_changes_only_that_item(user):
    """Pekerja 0,75 -> 0,0255 for the first item only:
    D = 0,0255 x 1.234.567,89 + 3.750 + 13.000 = 31.481,481195 + 16.750 = 48.231,481195
    HSP = 1,1 x D = 53.054,6293145 -> 53.054,63; amount = 13,632 x 53.054,63 = 723.240,71616 -> 723.240,72
    """
    project, first, second, wall, _wall2 = shared_setup(user)
    original = first.analysis
    component = original.components.get(resource__code="L.01")
    before = audit_count(project)

    changed = analyses.set_coefficient(component=component, coefficient=D("0.0255"), for_item=first, by=user)

    first.refresh_from_db()
    assert changed.analysis_id == first.analysis_id != original.pk
    assert first.analysis.code == "2.2.1.1-a" and first.analysis.is_modified is True
    assert first.unit_rate == D("53054.63") and first.amount == D("723240.72")
    assert ProjectAnalysis.objects.get(pk=first.analysis_id).direct == D("48231.481195")
    assert coefficients(original)[0] == ("L.01", D("0.75"))
    assert WorkItem.objects.get(pk=second.pk).unit_rate == D("1036943.51")
    assert WorkItem.objects.get(pk=wall.pk).unit_rate == D("2075537.02")
    assert audit_count(project) == before + 1
    event = AuditEvent.objects.filter(project_id=project.pk).first()
    assert event.target_type == "projectanalysis" and event.target_id == str(first.analysis_id)
    assert "disalin menjadi 2.2.1.1-a" in event.summary and "Plesteran lantai 1" in event.summary
    assert event.before["code"] == "2.2.1.1" and event.after["code"] == "2.2.1.1-a"
    assert event.after["components"][0] == ["L.01", "0.0255"]

    # The copy keeps its library reference: "reset to reference" restores it (no second copy: now its own).
    analyses.reset_to_reference(analysis=first.analysis, for_item=first, by=user)
    first.refresh_from_db()
    assert first.analysis.code == "2.2.1.1-a" and first.analysis.is_modified is False
    assert first.unit_rate == D("1036943.51")
    assert ProjectAnalysis.objects.filter(project=project).count() == 3


def test_set_coefficient_without_for_item_changes_every_user(user):
    project, first, second, wall, _wall2 = shared_setup(user)
    component = first.analysis.components.get(resource__code="L.01")

    analyses.set_coefficient(component=component, coefficient=D("0.0255"), by=user)

    # 2.2.9.9: D = 2 x 48.231,481195 + 1.500 = 97.962,96239; HSP = 107.759,258629 -> 107.759,26
    assert WorkItem.objects.get(pk=second.pk).unit_rate == D("53054.63")
    assert WorkItem.objects.get(pk=wall.pk).unit_rate == D("107759.26")
    assert ProjectAnalysis.objects.filter(project=project).count() == 2


def test_remove_and_add_for_item_on_shared_analysis(user):
    project, first, second, _wall, _wall2 = shared_setup(user)
    semen = first.analysis.components.get(resource__code="B.01")

    analyses.remove_component(component=semen, for_item=first, by=user)
    first.refresh_from_db()
    # D = 925.925,9175 + 3.750 = 929.675,9175; HSP = 1.022.643,50925 -> 1.022.643,51
    assert coefficients(first.analysis) == [("L.01", D("0.75")), ("L.04", D("0.025"))]
    assert first.unit_rate == D("1022643.51")
    assert len(coefficients(second.analysis)) == 3

    # Now the first item's own: a second edit changes it in place (no further copy).
    analyses.add_resource_component(
        analysis=first.analysis, resource=semen.resource, coefficient=D("13.632"), for_item=first, by=user
    )
    first.refresh_from_db()
    # + 13,632 x 1.300 = 17.721,60 -> D = 947.397,5175; HSP = 1.042.137,26925 -> 1.042.137,27
    assert first.analysis.code == "2.2.1.1-a" and first.unit_rate == D("1042137.27")
    assert ProjectAnalysis.objects.filter(project=project).count() == 3


def test_failed_edit_for_item_leaves_no_copy(user):
    project, first, _second, _wall, _wall2 = shared_setup(user)
    pekerja = ProjectResource.objects.get(project=project, code="L.01")
    before = audit_count(project)

    with pytest.raises(ValidationError, match="sudah ada di analisa ini"):
        analyses.add_resource_component(
            analysis=first.analysis, resource=pekerja, coefficient=D("1"), for_item=first, by=user
        )

    first.refresh_from_db()
    assert first.analysis.code == "2.2.1.1" and audit_count(project) == before
    assert ProjectAnalysis.objects.filter(project=project).count() == 2


def test_add_nested_for_item_avoids_the_cycle_of_the_shared_analysis(user):
    """2.2.1.1 is nested in 2.2.9.9, so nesting 2.2.9.9 in 2.2.1.1 is a cycle; in the item's own copy it
    is not (nothing nests the copy)."""
    project, first, _second, wall, _wall2 = shared_setup(user)

    with pytest.raises(ValidationError, match="lingkaran"):
        analyses.add_nested_component(
            analysis=first.analysis, nested=wall.analysis, coefficient=D("1"), by=user
        )

    analyses.add_nested_component(
        analysis=first.analysis, nested=wall.analysis, coefficient=D("0.0255"), for_item=first, by=user
    )
    first.refresh_from_db()
    # D = 942.675,9175 + 0,0255 x 1.886.851,835 (= 48.114,7217925) = 990.790,6392925
    # HSP = 1.089.869,70322175 -> 1.089.869,70
    assert first.analysis.code == "2.2.1.1-a" and first.unit_rate == D("1089869.70")


# ---------------------------------------------------------------------------------------------- new resources


def test_add_new_resource_component_creates_prices_and_adds_in_one_event(user):
    """Papan nama proyek, ls, Rp 1.234.567,89, coefficient 0,0255 added to build_priced_item's analysis:
    + 0,0255 x 1.234.567,89 = 31.481,481195 (other) -> D = 123.231,481195; E = 12.323,1481195
    HSP = 135.554,6293145 -> 135.554,63; amount = 2 x 135.554,63 = 271.109,26."""
    project, _section, item = build_priced_item(user)
    before = audit_count(project)

    component = analyses.add_new_resource_component(
        analysis=item.analysis,
        name="Papan nama proyek",
        unit="ls",
        category="other",
        unit_price=D("1234567.89"),
        coefficient=D("0.0255"),
        by=user,
    )

    resource = component.resource
    # L.01 (Pekerja) and L.04 (Mandor) already use the "L." prefix: the next number is 05.
    assert (resource.code, resource.name, resource.unit, resource.category, resource.unit_price) == (
        "L.05",
        "Papan nama proyek",
        "ls",
        "other",
        D("1234567.89"),
    )
    item.refresh_from_db()
    assert item.unit_rate == D("135554.63") and item.amount == D("271109.26")
    assert ProjectAnalysis.objects.get(pk=item.analysis_id).other == D("31481.481195")
    assert audit_count(project) == before + 1
    event = AuditEvent.objects.filter(project_id=project.pk).first()
    assert (
        event.target_type == "projectanalysis" and "Sumber daya baru L.05 Papan nama proyek" in event.summary
    )
    assert event.after["new_resource"] == {
        "code": "L.05",
        "name": "Papan nama proyek",
        "unit": "ls",
        "category": "other",
        "unit_price": "1234567.89",
    }

    labour = analyses.add_new_resource_component(
        analysis=item.analysis,
        name="Petugas K3",
        unit="OH",
        category="labour",
        unit_price=D("175000"),
        coefficient=D("13.632"),
        by=user,
    )
    assert labour.resource.code == "TK.P.01"


def test_add_new_resource_component_with_a_taken_code_writes_nothing(user):
    project, _section, item = build_priced_item(user)
    before = (audit_count(project), ProjectResource.objects.filter(project=project).count())

    with pytest.raises(ValidationError, match="Kode B.01 sudah dipakai"):
        analyses.add_new_resource_component(
            analysis=item.analysis,
            code="B.01",
            name="Semen lain",
            unit="kg",
            category="material",
            unit_price=D("1"),
            coefficient=D("1"),
            by=user,
        )

    assert (audit_count(project), ProjectResource.objects.filter(project=project).count()) == before
    assert item.analysis.components.count() == 3


def test_add_new_resource_component_for_item_on_shared_analysis(user):
    project, first, second, _wall, _wall2 = shared_setup(user)

    analyses.add_new_resource_component(
        analysis=first.analysis,
        name="Perancah",
        unit="m2",
        category="equipment",
        unit_price=D("1234567.89"),
        coefficient=D("0.0255"),
        for_item=first,
        by=user,
    )

    # 2.2.1.1 D = 942.675,9175 + 31.481,481195 = 974.157,398695; HSP = 1.071.573,1385645 -> 1.071.573,14
    first.refresh_from_db()
    assert first.analysis.code == "2.2.1.1-a" and first.unit_rate == D("1071573.14")
    assert coefficients(first.analysis)[-1] == ("PR.P.01", D("0.0255"))
    assert WorkItem.objects.get(pk=second.pk).unit_rate == D("1036943.51")


# ---------------------------------------------------------------------------------------------- direct price


def test_set_direct_price_on_empty_custom_item_without_buk(user):
    """Rp 1.234.567,89 per ls, BUK 10 % on top: HSP = 1.358.024,679 -> 1.358.024,68;
    amount = 13,632 x 1.358.024,68 = 18.512.592,43776 -> 18.512.592,44."""
    project = ProjectFactory(owner=user, overhead_profit_pct=D("10"))
    section = sections.create(project=project, name="Persiapan", by=user)
    item = custom_item(project, section, user, "Papan nama proyek", unit="ls", volume="13.632")
    before = audit_count(project)

    item = analyses.set_direct_price(item=item, unit_price=D("1234567.89"), includes_overhead=False, by=user)

    assert item.unit_rate == D("1358024.68") and item.amount == D("18512592.44")
    assert item.overhead_pct_override is None
    (line,) = item.analysis.components.select_related("resource")
    assert (line.coefficient, line.resource.category, line.resource.code, line.resource.name) == (
        D("1"),
        "other",
        "L.01",
        "Papan nama proyek",
    )
    assert audit_count(project) == before + 1
    event = AuditEvent.objects.filter(project_id=project.pk).first()
    assert (event.target_type, event.target_id) == ("workitem", str(item.pk))
    assert event.before["direct_unit_price"] is None and event.after["direct_unit_price"] == "1234567.89"
    assert "belum termasuk BUK" in event.summary


def test_set_direct_price_including_buk_gives_the_item_buk_zero(user):
    """Included: BUK 0 % for this item, HSP = 1.234.567,89; amount = 13,632 x that = 16.829.629,47648
    -> 16.829.629,48. Back to "not included": the project's 10 % again (1.358.024,68)."""
    project = ProjectFactory(owner=user, overhead_profit_pct=D("10"))
    section = sections.create(project=project, name="Persiapan", by=user)
    item = custom_item(project, section, user, "SMK3", unit="ls", volume="13.632")
    item = analyses.set_direct_price(item=item, unit_price=D("1000000"), includes_overhead=False, by=user)
    resource_id = item.analysis.components.get().resource_id
    before = audit_count(project)

    item = analyses.set_direct_price(item=item, unit_price=D("1234567.89"), includes_overhead=True, by=user)

    assert item.overhead_pct_override == D("0") and item.unit_rate == D("1234567.89")
    assert item.amount == D("16829629.48")
    assert item.analysis.components.get().resource_id == resource_id  # the same line, repriced
    assert ProjectResource.objects.get(pk=resource_id).unit_price == D("1234567.89")
    assert audit_count(project) == before + 1

    # the same again: nothing changes, no event
    analyses.set_direct_price(item=item, unit_price=D("1234567.89"), includes_overhead=True, by=user)
    assert audit_count(project) == before + 1

    item = analyses.set_direct_price(item=item, unit_price=D("1234567.89"), includes_overhead=False, by=user)
    assert item.overhead_pct_override is None and item.unit_rate == D("1358024.68")


def test_set_direct_price_refused_for_an_analysis_with_components(user):
    project, _section, item = build_priced_item(user)
    before = audit_count(project)

    with pytest.raises(ValidationError, match="sudah berisi komponen"):
        analyses.set_direct_price(item=item, unit_price=D("1"), includes_overhead=False, by=user)

    assert audit_count(project) == before and item.analysis.components.count() == 3


def test_set_direct_price_negative_refused(user):
    project = ProjectFactory(owner=user)
    section = sections.create(project=project, name="Persiapan", by=user)
    item = custom_item(project, section, user, "Mobilisasi", unit="ls")

    with pytest.raises(ValidationError, match="tidak boleh negatif"):
        analyses.set_direct_price(item=item, unit_price=D("-1"), includes_overhead=False, by=user)
