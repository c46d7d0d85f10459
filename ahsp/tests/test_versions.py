"""Frozen versions (issue 15 §4): a version is the document at one moment, identified by its hash, stored
in shared chunks, opened as a read-only project that every page shows and no write URL can change."""

from decimal import Decimal as D

import pytest
from django.urls import get_resolver

from ahsp.loaders.project_document import load_project_document
from ahsp.models import AuditEvent, Project, ProjectVersion, VersionChunk, WorkItem
from ahsp.services import versions, work_items
from ahsp.tests.test_project_document import example, figures  # noqa: F401  (the worked example)

pytestmark = pytest.mark.django_db


def test_freeze_stores_the_document_under_its_hash(example, user):  # noqa: F811
    version = versions.freeze(project=example, name="HPS diajukan", note="Untuk PPK", by=user)
    assert (version.number, version.name, version.item_count) == (1, "HPS diajukan", 2)
    # Beton 10.053.221,36 + Pelat 15.643.519,00 = 25.696.740,36; PPN 11 % 2.826.641,44; 28.523.381,80 -> 28.523.000
    assert version.rounded_total == D("28523000.00")
    assert versions.assemble(version.manifest) == load_project_document(example)
    again = versions.freeze(project=example, name="Salinan sama", by=user)
    assert again.number == 2 and again.content_hash == version.content_hash  # same content, same hash
    event = AuditEvent.objects.filter(project_id=example.pk).latest("id")
    assert event.action == "create" and event.target_type == "projectversion"
    assert Project.objects.get(pk=example.pk).content_version == example.content_version  # nothing changed


def test_storage_grows_with_what_changed_not_with_the_number_of_versions(example, user):  # noqa: F811
    beton = WorkItem.objects.get(project=example, name="Beton K-225")
    versions.freeze(project=example, name="Versi 1", by=user)
    first = VersionChunk.objects.count()
    for number in range(2, 21):
        work_items.set_volume(item=beton, volume=D(number) + D("0.5"), expected_version=None, by=user)
        versions.freeze(project=example, name=f"Versi {number}", by=user)
    # Each new version stores only the changed top-level section (resources, analyses and the header
    # are shared): 19 more chunks, not 19 x the whole document.
    assert VersionChunk.objects.count() == first + 19
    assert len({v.content_hash for v in ProjectVersion.objects.filter(project=example)}) == 20


def test_an_opened_version_shows_the_frozen_figures_read_only(example, user, logged_in_client):  # noqa: F811
    version = versions.freeze(project=example, name="HPS diajukan", by=user)
    frozen = figures(example)
    beton = WorkItem.objects.get(project=example, name="Beton K-225")
    work_items.set_volume(item=beton, volume=D("99"), expected_version=None, by=user)

    snapshot = versions.open_version(version=version)
    assert figures(snapshot) == frozen != figures(example)
    assert (
        snapshot.snapshot_of_id == example.pk
        and "HPS diajukan" in snapshot.name
        and version.short_hash in snapshot.name
    )
    assert not Project.objects.visible_to(user).filter(pk=snapshot.pk).exists()  # not in lists or sums
    assert not Project.objects.editable_by(user).filter(pk=snapshot.pk).exists()
    page = logged_in_client.get(f"/projects/{snapshot.pk}/rab/")
    assert page.status_code == 200 and "versi beku (hanya baca)" in page.content.decode()
    assert versions.open_version(version=version).pk == snapshot.pk  # opened once, then reused


def test_every_write_url_is_refused_on_a_frozen_version(example, user, logged_in_client):  # noqa: F811
    snapshot = versions.open_version(version=versions.freeze(project=example, name="Beku", by=user))
    before = load_project_document(snapshot)
    content = Project.objects.get(pk=snapshot.pk).content_version
    ids = {
        "section_id": snapshot.sections.first().pk,
        "item_id": snapshot.work_items.first().pk,
        "resource_id": snapshot.resources.first().pk,
        "analysis_id": snapshot.analyses.first().pk,
        "stage_id": snapshot.stages.first().pk,
        "parameter_id": snapshot.parameters.first().pk,
    }
    data = {"name": "Diubah", "volume": "5", "unit_price": "1", "coefficient": "2", "version": "1",
            "shares": "1:100", "action": "even", "first_week": "1", "last_week": "2", "week": "1",
            "progress": "10", "parts": "estimate", "count": "1", "value": "3"}  # fmt: skip
    tried = 0
    for pattern in get_resolver("ahsp.urls").url_patterns:
        route = str(pattern.pattern)
        if "<int:pk>" not in route:
            continue
        kwargs = {"pk": snapshot.pk}
        for name in pattern.pattern.converters:
            if name != "pk":
                kwargs[name] = ids.get(name, ids.get(name.replace("_pk", "_id"), 1))
        url = "/" + route
        for key, value in kwargs.items():
            url = url.replace(f"<int:{key}>", str(value))
        if "<" in url:
            continue
        response = logged_in_client.post(url, data)
        tried += 1
        assert response.status_code < 500, (url, response.status_code)
    assert tried > 30
    assert load_project_document(Project.objects.get(pk=snapshot.pk)) == before
    assert Project.objects.get(pk=snapshot.pk).content_version == content


def test_the_versions_page_freezes_opens_and_compares(example, user, logged_in_client):  # noqa: F811
    response = logged_in_client.post(
        f"/projects/{example.pk}/versions/", {"name": "HPS diajukan", "note": ""}
    )
    assert response.status_code == 302
    version = ProjectVersion.objects.get(project=example)
    page = logged_in_client.get(f"/projects/{example.pk}/versions/").content.decode()
    assert "HPS diajukan" in page and version.short_hash in page
    opened = logged_in_client.post(f"/projects/{example.pk}/versions/{version.pk}/open/")
    snapshot = ProjectVersion.objects.get(pk=version.pk).snapshot
    assert opened["Location"] == f"/projects/{snapshot.pk}/rab/"
    compared = logged_in_client.post(f"/projects/{example.pk}/versions/{version.pk}/open/", {"compare": "1"})
    assert compared["Location"] == f"/projects/{example.pk}/compare/?with={snapshot.pk}"
    assert logged_in_client.get(compared["Location"]).status_code == 200


def test_only_a_few_versions_stay_open(example, user):  # noqa: F811
    made = [versions.freeze(project=example, name=f"V{n}", by=user) for n in range(5)]
    snapshots = [versions.open_version(version=v).pk for v in made]
    still = set(Project.objects.filter(snapshot_of=example).values_list("pk", flat=True))
    assert still == set(snapshots[-versions.KEEP_OPEN :])
    assert versions.open_version(version=made[0]).snapshot_of_id == example.pk  # opens again


def test_strangers_see_no_versions(example, user, other_user, client):  # noqa: F811
    version = versions.freeze(project=example, name="Beku", by=user)
    snapshot = versions.open_version(version=version)
    client.force_login(other_user)
    assert client.get(f"/projects/{example.pk}/versions/").status_code == 404
    assert client.post(f"/projects/{example.pk}/versions/{version.pk}/open/").status_code == 404
    assert client.get(f"/projects/{snapshot.pk}/rab/").status_code == 404


def test_a_versions_documents_carry_its_name_and_hash(
    example,  # noqa: F811
    user,
    logged_in_client,
    django_capture_on_commit_callbacks,
):
    import io

    from openpyxl import load_workbook

    from ahsp.services import exports

    version = versions.freeze(project=example, name="HPS diajukan", by=user)
    snapshot = versions.open_version(version=version)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=snapshot, document="rab", fmt="xlsx", by=user)
    response = logged_in_client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    cells = [
        str(c) for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in row if c
    ]
    assert any("HPS diajukan" in cell and version.short_hash in cell for cell in cells)


def test_two_versions_compare_with_each_other(example, user, logged_in_client):  # noqa: F811
    first = versions.open_version(version=versions.freeze(project=example, name="HPS diajukan", by=user))
    beton = WorkItem.objects.get(project=example, name="Beton K-225")
    work_items.set_volume(item=beton, volume=D("13"), expected_version=None, by=user)
    second = versions.open_version(version=versions.freeze(project=example, name="Addendum 1", by=user))
    page = logged_in_client.get(f"/projects/{second.pk}/compare/").content.decode()
    assert f'<option value="{first.pk}"' in page  # the other opened version is offered
    compared = logged_in_client.get(f"/projects/{second.pk}/compare/?with={first.pk}").content.decode()
    assert "Total dibulatkan naik" in compared and "Volume" in compared


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_bad_version_name_is_shown_on_the_form(example, logged_in_client, name):  # noqa: F811
    response = logged_in_client.post(f"/projects/{example.pk}/versions/", {"name": name})
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert not ProjectVersion.objects.exists()


def test_a_version_of_another_project_is_a_404(example, user, logged_in_client):  # noqa: F811
    from ahsp.tests.factories import ProjectFactory

    other = ProjectFactory(owner=user)
    version = versions.freeze(project=other, name="Lain", by=user)
    assert logged_in_client.post(f"/projects/{example.pk}/versions/{version.pk}/open/").status_code == 404
