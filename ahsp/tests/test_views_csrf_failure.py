import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_csrf_failure_page_is_indonesian_with_status_403(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post("/projects/new/", {"name": "Tanpa token"})
    assert response.status_code == 403
    assert 'lang="id"' in response.text
    assert "Permintaan ditolak" in response.text and "Muat ulang halaman" in response.text
    assert "CSRF verification failed" not in response.text  # not Django's English page
