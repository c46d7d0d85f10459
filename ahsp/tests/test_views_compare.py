"""The comparison page: a copy with a changed price and volume compares item by item with its original,
the effects on the page add up to the change, sections open through HTMX, strangers get 404s."""

from decimal import Decimal as D

import pytest

from ahsp.loaders.comparison import load_comparison
from ahsp.models import ProjectResource, WorkItem
from ahsp.services import resources, work_items
from ahsp.services.project_copy import copy_project
from ahsp.tests.test_project_document import example  # noqa: F401  (the worked example fixture)

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def pair(example, user):  # noqa: F811
    """The worked example (Beton 12,345 m3 at HSP 814.355,72) and a copy with 13 m3 and semen Rp 1.500."""
    (copy,) = copy_project(project=example, by=user, parts="estimate", name="Salinan")
    beton = WorkItem.objects.get(project=copy, name="Beton K-225")
    work_items.set_volume(item=beton, volume=D("13"), expected_version=None, by=user)
    semen = ProjectResource.objects.get(project=copy, code="M.15")
    resources.set_price(resource=semen, unit_price=D("1500.00"), expected_version=None, by=user)
    return example, copy


def test_the_page_explains_the_change(logged_in_client, pair):
    original, copy = pair
    response = logged_in_client.get(f"/projects/{copy.pk}/compare/?with={original.pk}")
    text = response.content.decode()
    assert response.status_code == 200
    # Semen Rp 1.450,75 -> 1.500 (+49,25): Beton 13 x 326 x 49,25 x 1,1 = 229.593,65, and Pelat, which
    # nests Beton, 100 x 0,12 x 326 x 49,25 x 1,1 = 211.932,60: together Rp 441.526,25.
    assert "Harga Semen Portland (Rp 441.526,25)" in text.replace("\n", "") or "Rp 441.526,25" in text
    causes = {c.kind: c.amount for c in load_comparison(original, copy).causes}
    assert causes["harga:M.15"] == D("441526.25")
    # Beton's volume: (13 - 12,345) x D 740.323,3775 x 1,1, before the price change.
    assert causes["volume"] == (D("13") - D("12.345")) * D("740323.3775") * D("1.1")
    assert "Total dibulatkan naik" in text
    assert 'id="compare-section-1"' in text


def test_a_section_opens_through_htmx_and_without_javascript(logged_in_client, pair):
    original, copy = pair
    url = f"/projects/{copy.pk}/compare/section/?with={original.pk}&section=Pekerjaan+Struktur"
    fragment = logged_in_client.get(url, headers=HX).content.decode()
    assert "Beton K-225" in fragment and "<html" not in fragment
    page = logged_in_client.get(f"/projects/{copy.pk}/compare/?with={original.pk}&open=Pekerjaan+Struktur")
    assert "Beton K-225" in page.content.decode()


def test_another_users_project_is_a_404(client, other_user, pair):
    original, copy = pair
    client.force_login(other_user)
    assert client.get(f"/projects/{copy.pk}/compare/?with={original.pk}").status_code == 404


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999", "\x00"])
def test_any_with_value_is_a_page_or_a_404_never_a_500(logged_in_client, pair, value):
    _original, copy = pair
    response = logged_in_client.get(f"/projects/{copy.pk}/compare/", {"with": value, "open": value})
    assert response.status_code in (200, 404)


def test_the_comparison_downloads_as_xlsx_and_pdf(logged_in_client, pair):
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    original, copy = pair
    base = f"/projects/{copy.pk}/compare/perbandingan"
    xlsx = logged_in_client.get(f"{base}.xlsx?with={original.pk}")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(xlsx.content))
    causes = {row[0]: row[2] for row in book["Ringkasan"].iter_rows(min_row=7, values_only=True) if row[0]}
    assert causes["Harga Semen Portland"] == "441526.25"  # the exact text next to the displayed number
    header = next(book["Per pekerjaan"].iter_rows(max_row=1, values_only=True))
    assert "Harga Semen Portland" in header and "Volume" in header
    pdf = logged_in_client.get(f"{base}.pdf?with={original.pk}")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Perbandingan Estimasi" in text and "441.526,25" in text
    assert logged_in_client.get(f"{base}.exe?with={original.pk}").status_code == 404
