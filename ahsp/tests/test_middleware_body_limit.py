"""Request bodies over the limit get 413 before they are read (project.middleware.RequestBodyLimitMiddleware).

Before it, a 55 MB upload was received whole and only then refused by the form (issue 12 §1).
"""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory

from ahsp.models import Project
from project.middleware import RequestBodyLimitMiddleware

MB = 1024 * 1024
URL = "/projects/import/"


class UnreadableBody:
    """A wsgi.input that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def request(length, content_type="multipart/form-data; boundary=x"):
    return RequestFactory().generic(
        "POST", URL, CONTENT_LENGTH=str(length), CONTENT_TYPE=content_type, **{"wsgi.input": UnreadableBody()}
    )


def passed_on(_request):
    return HttpResponse("ok")


def test_defaults_cover_the_largest_upload_form():
    assert settings.UPLOAD_MAX_BODY_BYTES == 51 * MB  # the reference library form takes 50 MB
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    order = settings.MIDDLEWARE
    assert order.index("project.middleware.RequestBodyLimitMiddleware") < order.index(
        "django.middleware.csrf.CsrfViewMiddleware"
    )  # before the first middleware that reads request.POST


def test_a_multipart_body_over_the_limit_is_refused_unread():
    response = RequestBodyLimitMiddleware(passed_on)(request(55 * MB))

    assert response.status_code == 413
    text = response.content.decode()
    assert "Berkas terlalu besar: 55,0 MB dikirim, paling banyak 51,0 MB." in text
    assert '<html lang="id">' in text


def test_a_multipart_body_at_the_limit_passes():
    response = RequestBodyLimitMiddleware(passed_on)(request(settings.UPLOAD_MAX_BODY_BYTES))

    assert response.status_code == 200


def test_any_other_body_is_held_to_data_upload_max_memory_size():
    middleware = RequestBodyLimitMiddleware(passed_on)

    assert middleware(request(3 * MB, "application/json")).status_code == 413
    assert middleware(request(2 * MB, "application/x-www-form-urlencoded")).status_code == 200


@pytest.mark.parametrize("length", ["", "abc", "-5"])
def test_a_missing_or_unreadable_length_passes_on(length):
    """Django itself reads such a body as empty."""
    assert RequestBodyLimitMiddleware(passed_on)(request(length)).status_code == 200


@pytest.mark.django_db
def test_an_upload_announcing_55_mb_gets_413_from_the_site(logged_in_client):
    upload = SimpleUploadedFile("proyek.xlsx", b"PK", content_type="application/octet-stream")

    response = logged_in_client.post(URL, {"file": upload}, CONTENT_LENGTH=str(55 * MB))

    assert response.status_code == 413 and "paling banyak 51,0 MB" in response.text
    assert Project.objects.count() == 0


@pytest.mark.django_db
def test_the_limit_is_a_setting(logged_in_client, settings):
    settings.UPLOAD_MAX_BODY_BYTES = 1 * MB
    upload = SimpleUploadedFile("proyek.xlsx", b"x" * (MB + MB // 2), content_type="application/octet-stream")

    response = logged_in_client.post(URL, {"file": upload})

    assert response.status_code == 413 and "1,5 MB dikirim, paling banyak 1,0 MB" in response.text
