from decimal import Decimal

import pytest

from ahsp.models import ReferenceAnalysis, ReferenceComponent, ReferenceResource

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def make_analysis(
    code: str, name: str, unit: str = "m3", source: str = "SNI 2025", **extra
) -> ReferenceAnalysis:
    return ReferenceAnalysis.objects.create(
        source=source,
        code=code,
        name=name,
        unit=unit,
        search_text=ReferenceAnalysis.build_search_text(code, name),
        sort_key=ReferenceAnalysis.build_sort_key(code),
        **extra,
    )


@pytest.fixture
def library():
    worker = ReferenceResource.objects.create(code="TK.0008", name="Pekerja", unit="OH", category="labour")
    cement = ReferenceResource.objects.create(
        code="B.1871", name="Semen Portland", unit="kg", category="material"
    )
    dig = make_analysis("2.2.1.1", "Galian tanah biasa sedalam s.d. 1 m")
    concrete = make_analysis("3.1.1.10", "Pembuatan 1 m3 beton mutu fc 19,3 MPa", is_suspicious=True)
    slab = make_analysis("3.1.1.2", "Pembuatan 1 m2 plat lantai beton", unit="m2")
    ReferenceComponent.objects.create(analysis=dig, resource=worker, unit="OH", coefficient=Decimal("0.75"))
    ReferenceComponent.objects.create(
        analysis=concrete,
        resource=cement,
        unit="kg",
        coefficient=Decimal("326.406"),
        raw_coefficient="326406",
        is_flagged=True,
        flag_reason="Koma desimal hilang: dibagi 1000",
    )
    ReferenceComponent.objects.create(
        analysis=slab, nested_analysis=concrete, unit="m3", coefficient=Decimal("0.12")
    )
    return {"dig": dig, "concrete": concrete, "slab": slab}


def test_search_requires_login(client):
    assert client.get("/referensi/").status_code == 302


def test_search_by_words_any_order_case_insensitive(logged_in_client, library):
    response = logged_in_client.get("/referensi/?q=TANAH galian")
    assert response.status_code == 200 and "<html" in response.text
    assert "2.2.1.1" in response.text and "3.1.1.10" not in response.text


def test_search_by_code_prefix_htmx_fragment(logged_in_client, library):
    response = logged_in_client.get("/referensi/?q=3.1.1", headers=HX)
    assert "<html" not in response.text and 'id="reference-results"' in response.text
    # natural code order: 3.1.1.2 before 3.1.1.10
    assert response.text.index("3.1.1.2") < response.text.index("3.1.1.10")
    assert "perlu diperiksa" in response.text


def test_search_no_result_message(logged_in_client, library):
    response = logged_in_client.get("/referensi/?q=xyzzy", headers=HX)
    assert "Tidak ada analisa yang cocok." in response.text


def test_search_query_count_independent_of_library_size(logged_in_client, django_assert_max_num_queries):
    for i in range(120):
        make_analysis(f"9.9.{i}", f"Pekerjaan beton nomor {i}")
    with django_assert_max_num_queries(4):
        response = logged_in_client.get("/referensi/?q=beton&page=3", headers=HX)
    assert response.status_code == 200
    assert "Halaman 3 dari 5" in response.text


def test_detail_groups_components_and_marks_flags(logged_in_client, library):
    response = logged_in_client.get("/referensi/3.1.1.10/")
    text = response.text
    assert response.status_code == 200
    assert "Bahan" in text and "Semen Portland" in text
    assert "326,406000" in text
    assert "Koma desimal hilang" in text and "326406" in text
    assert "3.1.1.2" in text  # used in the slab analysis


def test_detail_links_nested_analysis(logged_in_client, library):
    response = logged_in_client.get("/referensi/3.1.1.2/")
    assert "Analisa bertingkat" in response.text
    assert 'href="/referensi/3.1.1.10/?source=SNI%202025"' in response.text


def test_detail_unknown_code_is_404(logged_in_client, library):
    assert logged_in_client.get("/referensi/0.0.0/").status_code == 404


def test_detail_query_count_bounded(logged_in_client, library, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        logged_in_client.get("/referensi/3.1.1.2/")


def test_upload_page_is_staff_only(logged_in_client):
    assert logged_in_client.get("/referensi/impor/").status_code == 403
    assert logged_in_client.post("/referensi/impor/", {"source": "x"}).status_code == 403


def test_upload_page_anonymous_goes_to_login(client):
    response = client.get("/referensi/impor/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
