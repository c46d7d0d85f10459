"""Rekap Kebutuhan (/projects/<id>/resources/): the loader's identity and the page, fragment and filter.

Hand-worked values of the small RAB (ahsp/tests/rab_data.py):
- Pekerja 0,1 x 2,5 + 0,5 x 10 + 0,3 x 12,75 = 0,25 + 5 + 3,825 = 9,075 OH x 150.000 = 1.361.250
- Mandor 0,05 x 10 = 0,5 OH x 200.000 = 100.000            -> Tenaga Kerja 1.461.250
- Kayu 0,012 x 2,5 = 0,03 m3 x 3.500.000 = 105.000
- Semen 6,24 x 12,75 = 79,56 kg x 1.500 = 119.340           -> Bahan 224.340
- total 1.685.590 = sum of volume x D = 57.000 x 2,5 + 85.000 x 10 + 54.360 x 12,75
  = 142.500 + 850.000 + 693.090 = 1.685.590 (the RAB with BUK, rounded per item, is 1.854.149)
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ahsp.loaders.requirements import NO_STAGE, SectionNotFound, StageNotFound, load_requirements
from ahsp.models import AnalysisComponent, ProjectAnalysis, ProjectResource, Section, WorkItem
from ahsp.services import recalc, sections, work_items
from ahsp.tests.factories import (
    AnalysisComponentFactory,
    ProjectFactory,
    ProjectResourceFactory,
    StageFactory,
)
from ahsp.tests.rab_data import build_small_rab

pytestmark = pytest.mark.django_db
D = Decimal
HX = {"HX-Request": "true"}


def url(project, **params):
    base = reverse("ahsp:project_requirements", args=[project.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def sum_volume_times_direct(project) -> Decimal:
    """The RAB before BUK, from the stored D of each item's analysis (computed by the unit price code)."""
    return sum(
        (item.volume * item.analysis.direct for item in WorkItem.objects.filter(project=project)),
        D(0),
    )


def rows_by_code(report):
    return {row.code: row for group in report.groups for row in group.rows}


def build_nested(user):
    """Two levels of nesting; Pekerja used directly and through the nested analyses (prices below):

    beton 1 m3: Semen 371 kg, Pekerja 1,65 -> D = 371 x 1.500 + 1,65 x 150.000 = 556.500 + 247.500 = 804.000
    plat 1 m2:  0,12 x beton, Pekerja 0,5, Besi 10 kg
                -> D = 0,12 x 804.000 + 0,5 x 150.000 + 10 x 14.000 = 96.480 + 75.000 + 140.000 = 311.480
    lantai 1 m2: 2 x plat, Pekerja 0,1 -> D = 2 x 311.480 + 0,1 x 150.000 = 622.960 + 15.000 = 637.960
    Items: lantai 3, plat 1,5, beton 0,25 (beton and plat in sub-section I.1 of I, lantai in II).
    """
    project = ProjectFactory(owner=user, overhead_profit_pct=D("10"))
    top = sections.create(project=project, name="Struktur", by=user)
    sub = sections.create(project=project, name="Beton", parent=top, by=user)
    other = sections.create(project=project, name="Lantai", by=user)
    beton = work_items.add_custom(project=project, section=sub, name="Beton", unit="m3", by=user)
    plat = work_items.add_custom(project=project, section=sub, name="Plat", unit="m2", by=user)
    lantai = work_items.add_custom(project=project, section=other, name="Lantai", unit="m2", by=user)

    def resource(code, name, unit, category, price):
        return ProjectResourceFactory(
            project=project, code=code, name=name, unit=unit, category=category, unit_price=D(price)
        )

    pekerja = resource("L.01", "Pekerja", "OH", "labour", "150000")
    semen = resource("M.15", "Semen Portland", "kg", "material", "1500")
    besi = resource("M.20", "Besi beton", "kg", "material", "14000")
    lines = [
        (beton, semen, None, "371"),
        (beton, pekerja, None, "1.65"),
        (plat, None, beton, "0.12"),
        (plat, pekerja, None, "0.5"),
        (plat, besi, None, "10"),
        (lantai, None, plat, "2"),
        (lantai, pekerja, None, "0.1"),
    ]
    AnalysisComponent.objects.bulk_create(
        AnalysisComponent(
            analysis=item.analysis,
            position=i,
            resource=res,
            nested_analysis=nested.analysis if nested else None,
            coefficient=D(k),
        )
        for i, (item, res, nested, k) in enumerate(lines)
    )
    recalc.recalculate_project(project)
    for item, volume in ((lantai, "3"), (plat, "1.5"), (beton, "0.25")):
        work_items.set_volume(item=item, volume=D(volume), expected_version=None, by=user)
    return project, top, sub, other


# ------------------------------------------------------------------------------------------ the loader


def test_identity_on_the_small_rab(user):
    rab = build_small_rab(user)

    report = load_requirements(rab.project)

    assert report.total == D("1685590") == report.direct_total == sum_volume_times_direct(rab.project)
    assert report.rab_amount == D("1854149.00") and report.is_balanced
    rows = rows_by_code(report)
    assert (rows["L.01"].quantity, rows["L.01"].cost) == (D("9.075"), D("1361250"))
    assert (rows["L.04"].quantity, rows["L.04"].cost) == (D("0.5"), D("100000"))
    assert (rows["M.10"].quantity, rows["M.10"].cost) == (D("0.03"), D("105000"))
    assert (rows["M.15"].quantity, rows["M.15"].cost) == (D("79.56"), D("119340"))
    assert [(g.label, g.total) for g in report.groups] == [
        ("Tenaga Kerja", D("1461250")),
        ("Bahan", D("224340")),
    ]
    assert [[row.code for row in g.rows] for g in report.groups] == [["L.01", "L.04"], ["M.10", "M.15"]]
    assert report.missing_count == 0 and report.item_count == 3


def test_identity_with_nested_analyses_and_section_filter_includes_descendants(user):
    project, top, sub, other = build_nested(user)

    everything = load_requirements(project)
    in_top = load_requirements(project, section_id=top.pk)
    in_other = load_requirements(project, section_id=other.pk)

    # 3 x 637.960 + 1,5 x 311.480 + 0,25 x 804.000 = 1.913.880 + 467.220 + 201.000 = 2.582.100
    assert everything.total == everything.direct_total == D("2582100") == sum_volume_times_direct(project)
    rows = rows_by_code(everything)
    # Pekerja 3 x (2 x (0,12 x 1,65 + 0,5) + 0,1) + 1,5 x 0,698 + 0,25 x 1,65 = 4,488 + 1,047 + 0,4125
    assert rows["L.01"].quantity == D("5.9475")
    # Semen 3 x 89,04 + 1,5 x 44,52 + 0,25 x 371 = 267,12 + 66,78 + 92,75 = 426,65; Besi 60 + 15 = 75
    assert (rows["M.15"].quantity, rows["M.20"].quantity) == (D("426.65"), D("75"))
    # Section I holds sub-section I.1 (plat, beton): 467.220 + 201.000 = 668.220; II (lantai) 1.913.880.
    assert in_top.total == in_top.direct_total == D("668220") and in_top.item_count == 2
    assert in_other.total == in_other.direct_total == D("1913880") and in_other.item_count == 1
    assert in_top.total + in_other.total == everything.total
    assert [(o.number, o.name, o.depth) for o in everything.sections] == [
        ("I", "Struktur", 0),
        ("I.1", "Beton", 1),
        ("II", "Lantai", 0),
    ]
    assert load_requirements(project, section_id=sub.pk).section.number == "I.1"


def test_loader_rejects_a_section_of_another_project(user):
    rab = build_small_rab(user)
    stranger = build_small_rab(user)
    with pytest.raises(SectionNotFound):
        load_requirements(rab.project, section_id=stranger.earthwork.pk)


def test_loader_of_an_empty_project(user):
    report = load_requirements(ProjectFactory(owner=user))
    assert report.groups == () and report.total == report.direct_total == 0 and report.sections == ()


def build_staged(user):
    """The small RAB with two stages: Persiapan = I.1 bowplank, Finishing = II.1 plesteran; I.2 galian has
    no stage. Totals (volume x D): Persiapan 2,5 x 57.000 = 142.500 (Pekerja 0,25 OH = 37.500 + Kayu
    0,03 m3 = 105.000); Finishing 12,75 x 54.360 = 693.090; without a stage 10 x 85.000 = 850.000;
    142.500 + 693.090 + 850.000 = 1.685.590, the whole project."""
    rab = build_small_rab(user)
    preparation = StageFactory(project=rab.project, name="Persiapan", position=1)
    finishing = StageFactory(project=rab.project, name="Finishing", position=2)
    WorkItem.objects.filter(pk=rab.bowplank.pk).update(stage=preparation)
    WorkItem.objects.filter(pk=rab.plastering.pk).update(stage=finishing)
    return rab, preparation, finishing


def direct_of(items) -> Decimal:
    return sum((item.volume * item.analysis.direct for item in items), D(0))


def test_stage_filter_keeps_the_identity(user):
    rab, preparation, finishing = build_staged(user)
    items = WorkItem.objects.filter(project=rab.project).select_related("analysis")

    cases = {
        preparation.pk: (D("142500"), items.filter(stage=preparation)),
        finishing.pk: (D("693090"), items.filter(stage=finishing)),
        NO_STAGE: (D("850000"), items.filter(stage=None)),
    }
    reports = {}
    for stage, (expected, selected) in cases.items():
        report = load_requirements(rab.project, stage=stage)
        assert report.total == report.direct_total == expected == direct_of(selected)
        assert report.item_count == len(selected) == 1 and report.is_balanced
        reports[stage] = report
    assert sum(r.total for r in reports.values()) == load_requirements(rab.project).total == D("1685590")
    rows = rows_by_code(reports[preparation.pk])
    assert (rows["L.01"].quantity, rows["M.10"].quantity) == (D("0.25"), D("0.03")) and "M.15" not in rows
    assert reports[preparation.pk].stage.name == "Persiapan" and reports[preparation.pk].stage_value == str(
        preparation.pk
    )
    assert reports[NO_STAGE].without_stage and reports[NO_STAGE].stage is None
    assert [s.name for s in reports[NO_STAGE].stages] == ["Persiapan", "Finishing"]


def test_stage_and_section_filters_combine(user):
    rab, preparation, _finishing = build_staged(user)
    items = WorkItem.objects.filter(project=rab.project).select_related("analysis")

    earthwork_without_stage = load_requirements(rab.project, section_id=rab.earthwork.pk, stage=NO_STAGE)
    plaster_preparation = load_requirements(rab.project, section_id=rab.plaster.pk, stage=preparation.pk)

    # I without a stage: only I.2 galian, 10 x 85.000 = 850.000 (Pekerja 5 OH + Mandor 0,5 OH).
    expected = direct_of(items.filter(section=rab.earthwork, stage=None))
    assert earthwork_without_stage.total == earthwork_without_stage.direct_total == D("850000") == expected
    assert {row.code for row in rows_by_code(earthwork_without_stage).values()} == {"L.01", "L.04"}
    assert plaster_preparation.groups == () and plaster_preparation.total == 0
    assert plaster_preparation.item_count == 0


def test_loader_rejects_a_stage_of_another_project(user):
    rab, _preparation, _finishing = build_staged(user)
    _other, stranger, _ = build_staged(user)
    with pytest.raises(StageNotFound):
        load_requirements(rab.project, stage=stranger.pk)


# -------------------------------------------------------------------------------------------- the page


def test_url_is_the_stable_one_and_requires_login(client, user):
    project = ProjectFactory(owner=user)
    assert url(project) == f"/projects/{project.pk}/resources/"
    response = client.get(url(project))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_full_page_shows_hand_worked_quantities_and_costs(logged_in_client, user):
    rab = build_small_rab(user)

    response = logged_in_client.get(url(rab.project))

    assert response.status_code == 200
    text = response.text
    assert "<html" in text and 'aria-current="page">Rekap Kebutuhan' in text
    assert '<option value="">Semua klasifikasi</option>' in text
    assert 'hx-get="' + url(rab.project) + '"' in text and 'hx-push-url="true"' in text
    assert '<h3 id="category-labour">Tenaga Kerja' in text and '<h3 id="category-material">Bahan' in text
    assert "Peralatan" not in text  # empty groups are left out
    for quantity, cost in (
        ("9,075", "1.361.250,00"),  # Pekerja: 2 to 4 decimals, as meaningful
        ("0,50", "100.000,00"),  # Mandor
        ("0,03", "105.000,00"),  # Kayu
        ("79,56", "119.340,00"),  # Semen
    ):
        assert f'<td class="num">{quantity}</td>' in text and f'<td class="num">{cost}</td>' in text
    assert "<strong>1.461.250,00</strong>" in text and "<strong>224.340,00</strong>" in text
    assert '<td class="num" id="requirements-total"><strong>Rp 1.685.590,00</strong></td>' in text
    assert "Jumlah biaya langsung (sebelum BUK)" in text
    assert '<td class="num" id="direct-total">Rp 1.685.590,00</td>' in text
    assert '<td class="num" id="rab-amount">Rp 1.854.149,00</td>' in text
    assert "Total biaya kebutuhan sama dengan" in text


def test_htmx_request_gets_only_the_table(logged_in_client, user):
    rab = build_small_rab(user)

    response = logged_in_client.get(url(rab.project), headers=HX)

    assert response.status_code == 200
    assert "<html" not in response.text and 'id="requirements-section"' not in response.text
    assert response.text.lstrip().startswith('<div id="requirements-table">')
    assert "Rp 1.685.590,00" in response.text
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("headers", [{}, HX])
def test_section_filter(logged_in_client, user, headers):
    rab = build_small_rab(user)

    earthwork = logged_in_client.get(url(rab.project, section=rab.earthwork.pk), headers=headers).text
    plaster = logged_in_client.get(url(rab.project, section=rab.plaster.pk), headers=headers).text

    # I: Pekerja 0,25 + 5 = 5,25 OH x 150.000 = 787.500; + Mandor 100.000 + Kayu 105.000 = 992.500.
    assert '<td class="num">5,25</td>' in earthwork and "Rp 992.500,00" in earthwork
    assert "Semen Portland" not in earthwork and "Pekerjaan Persiapan dan Tanah" in earthwork
    # II: Pekerja 3,825 x 150.000 = 573.750 + Semen 119.340 = 693.090.
    assert '<td class="num">3,825</td>' in plaster and "Rp 693.090,00" in plaster
    assert "Kayu kelas III" not in plaster
    if not headers:
        assert f'<option value="{rab.earthwork.pk}" selected>I. Pekerjaan Persiapan' in earthwork


@pytest.mark.parametrize("value", ["abc", "-1", "999999999", "1.5", "٣", "99999999999999999999999"])
def test_invalid_section_shows_a_message_and_every_section(logged_in_client, user, value):
    rab = build_small_rab(user)

    response = logged_in_client.get(url(rab.project), {"section": value}, headers=HX)

    assert response.status_code == 200
    assert "Klasifikasi yang dipilih tidak ditemukan di proyek ini." in response.text
    assert "Rp 1.685.590,00" in response.text


def test_section_of_another_project_is_refused_with_a_message(logged_in_client, user):
    rab = build_small_rab(user)
    stranger = build_small_rab(user)

    response = logged_in_client.get(url(rab.project, section=stranger.earthwork.pk))

    assert response.status_code == 200
    assert "Klasifikasi yang dipilih tidak ditemukan di proyek ini." in response.text


@pytest.mark.parametrize("headers", [{}, HX])
def test_stage_filter_on_the_page(logged_in_client, user, headers):
    rab, preparation, finishing = build_staged(user)

    text = logged_in_client.get(url(rab.project, stage=preparation.pk), headers=headers).text
    without = logged_in_client.get(url(rab.project, stage="none"), headers=headers).text

    assert "Rp 142.500,00" in text and '<td class="num">0,25</td>' in text
    assert "<strong>Tahapan:</strong> Persiapan" in text and "Semen Portland" not in text
    assert "Rp 850.000,00" in without and "<strong>Tanpa tahapan</strong>" in without
    assert "Total biaya kebutuhan sama dengan" in text and "Total biaya kebutuhan sama dengan" in without
    if headers:
        assert 'id="requirements-stage"' not in text
    else:
        assert '<select id="requirements-stage" name="stage">' in text
        assert f'<option value="{preparation.pk}" selected>Persiapan</option>' in text
        assert f'<option value="{finishing.pk}">Finishing</option>' in text
        assert '<option value="none" selected>Tanpa tahapan</option>' in without


def test_stage_and_section_on_the_page(logged_in_client, user):
    rab, preparation, _finishing = build_staged(user)

    text = logged_in_client.get(url(rab.project, section=rab.earthwork.pk, stage=preparation.pk)).text

    assert "Rp 142.500,00" in text and f'<option value="{rab.earthwork.pk}" selected>' in text


@pytest.mark.parametrize("value", ["abc", "-1", "999999999", "1.5", "NONE", "٣"])
def test_invalid_stage_shows_a_message_and_every_stage(logged_in_client, user, value):
    rab, _preparation, _finishing = build_staged(user)

    response = logged_in_client.get(url(rab.project), {"stage": value, "section": rab.plaster.pk}, headers=HX)

    assert response.status_code == 200
    assert "Tahapan yang dipilih tidak ditemukan di proyek ini." in response.text
    assert "Rp 693.090,00" in response.text  # the section filter still applies (II)


def test_stage_of_another_project_and_bad_section_are_both_reported(logged_in_client, user):
    rab, _preparation, _finishing = build_staged(user)
    _other, stranger, _ = build_staged(user)

    response = logged_in_client.get(url(rab.project, stage=stranger.pk, section="x"))

    assert response.status_code == 200
    assert "Tahapan yang dipilih tidak ditemukan" in response.text
    assert "Klasifikasi yang dipilih tidak ditemukan" in response.text
    assert "Rp 1.685.590,00" in response.text


def test_another_users_project_is_404(client, user, other_user):
    rab = build_small_rab(user)
    client.force_login(other_user)
    assert client.get(url(rab.project)).status_code == 404
    assert client.get(url(rab.project, section=rab.earthwork.pk), headers=HX).status_code == 404


def test_missing_prices_are_highlighted_and_counted(logged_in_client, user):
    rab = build_small_rab(user)
    timber = ProjectResource.objects.get(project=rab.project, code="M.10")
    ProjectResource.objects.filter(pk=timber.pk).update(unit_price=None)
    recalc.recalculate_project(rab.project)

    text = logged_in_client.get(url(rab.project)).text

    assert f'<tr id="requirement-{timber.pk}" class="flagged price-missing">' in text
    assert '<p id="requirements-missing"' in text and "<strong>1</strong> sumber daya belum berharga" in text
    # Without Kayu: 1.685.590 - 105.000 = 1.580.590, and D of C.1 is now 15.000 (2,5 x 15.000 = 37.500).
    assert "Rp 1.580.590,00" in text and "Total biaya kebutuhan sama dengan" in text


def test_stale_stored_direct_cost_is_reported(logged_in_client, user):
    """Requirements use the current prices, the RAB the stored D: a difference is shown, never hidden."""
    rab = build_small_rab(user)
    ProjectResource.objects.filter(project=rab.project, code="M.10").update(unit_price=D("4000000"))

    text = logged_in_client.get(url(rab.project)).text

    # Kayu 0,03 x 4.000.000 = 120.000 instead of 105.000: 1.685.590 + 15.000 = 1.700.590.
    assert "Rp 1.700.590,00" in text and '<td class="num" id="direct-total">Rp 1.685.590,00</td>' in text
    assert "Total biaya kebutuhan berbeda dari jumlah biaya langsung" in text


def test_a_cycle_in_the_data_is_a_message_not_a_500(logged_in_client, user):
    rab = build_small_rab(user)
    first, second = rab.bowplank.analysis, rab.excavation.analysis
    AnalysisComponentFactory(analysis=first, nested_analysis=second, coefficient=D("1"))
    AnalysisComponentFactory(analysis=second, nested_analysis=first, coefficient=D("1"))

    response = logged_in_client.get(url(rab.project, section=rab.earthwork.pk))

    assert response.status_code == 200 and "siklus" in response.text


def test_purchase_units_are_shown(logged_in_client, user):
    rab = build_small_rab(user)
    ProjectResource.objects.filter(project=rab.project, code="M.15").update(
        purchase_unit="zak", purchase_factor=D("50")
    )

    text = logged_in_client.get(url(rab.project)).text

    # 79,56 kg / 50 = 1,5912 zak.
    assert "1,5912 zak" in text and "1 zak = 50,00 kg" in text


def test_empty_project_shows_the_empty_state(logged_in_client, user):
    text = logged_in_client.get(url(ProjectFactory(owner=user))).text
    assert "Belum ada kebutuhan sumber daya" in text and 'id="requirements-total"' not in text


# ------------------------------------------------------------------------------------------ query count


def _grow(project, user, count):
    """``count`` more items over new sub-sections, using the nested analyses and new resources."""
    parent = Section.objects.filter(project=project, parent=None).first()
    subs = [sections.create(project=project, name=f"Sub {i}", parent=parent, by=user) for i in range(4)]
    analyses = list(ProjectAnalysis.objects.filter(project=project))
    extra = ProjectResource.objects.bulk_create(
        ProjectResource(
            project=project, code=f"E.{i:02d}", name=f"Alat {i}", unit="jam", category="equipment"
        )
        for i in range(10)
    )
    AnalysisComponent.objects.bulk_create(
        AnalysisComponent(analysis=analyses[i % len(analyses)], resource=res, coefficient=D("0.25"))
        for i, res in enumerate(extra)
    )
    WorkItem.objects.bulk_create(
        WorkItem(
            project=project,
            section=subs[i % 4],
            analysis=analyses[i % len(analyses)],
            name=f"Pekerjaan {i}",
            unit="m2",
            position=i,
            volume=D(i + 1),
        )
        for i in range(count)
    )


def _app_queries(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "django_session" not in q["sql"]]


def test_query_count_does_not_grow_with_the_project(logged_in_client, user, django_assert_max_num_queries):
    small, _top, _sub, _other = build_nested(user)
    large, top, _sub, _other = build_nested(user)
    _grow(large, user, 45)
    assert WorkItem.objects.filter(project=large).count() == 48

    counts = []
    stage = StageFactory(project=large, name="Struktur")
    WorkItem.objects.filter(project=large, section__parent=top).update(stage=stage)
    cases = (
        (small, {}),
        (large, {}),
        (large, {"section": top.pk}),
        (large, {"stage": stage.pk, "section": top.pk}),
    )
    for project, params in cases:
        for headers in ({}, HX):
            with django_assert_max_num_queries(8):  # session, user, project, 5 loader queries
                with CaptureQueriesContext(connection) as context:
                    response = logged_in_client.get(url(project, **params), headers=headers)
            assert response.status_code == 200
            counts.append(len(_app_queries(context)))
    assert set(counts) == {7}
