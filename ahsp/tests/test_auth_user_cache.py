"""The session's user comes from the cache (project/auth_backends.py, issue 13 §1), and every change to the
user saved through the app is seen at the next request."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from project.auth_backends import CachedUserBackend, user_key

pytestmark = pytest.mark.django_db
PASSWORD = "Benar-sekali-99"


@pytest.fixture
def signed_in(client, make_user):
    user = make_user("cache@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(user.pk)
    assert client.session["_auth_user_backend"] == "project.auth_backends.CachedUserBackend"
    return client, user


def user_queries(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if 'FROM "ahsp_user"' in q["sql"]]


def test_the_user_is_read_once_then_from_the_cache(signed_in):
    client, _user = signed_in
    client.get("/healthz")
    client.get("/")  # the row is in the cache now
    with CaptureQueriesContext(connection) as second:
        assert client.get("/").status_code == 200
    assert user_queries(second) == []


def test_a_password_change_ends_the_other_sessions_at_once(signed_in):
    client, user = signed_in
    client.get("/")
    user.set_password("Baru-sekali-77")
    user.save()  # e.g. a password reset, or the admin
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_deactivated_user_is_signed_out_at_once(signed_in):
    client, user = signed_in
    client.get("/")
    user.is_active = False
    user.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_cached_inactive_user_is_refused(make_user):
    user = make_user("inactive@example.com")
    backend = CachedUserBackend()
    assert backend.get_user(user.pk) == user  # cached now
    user.is_active = False
    cache.set(user_key(user.pk), user)  # as if the change bypassed save()
    assert backend.get_user(user.pk) is None
