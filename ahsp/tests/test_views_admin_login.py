"""The admin has no login form of its own: it signs in through allauth's (rate-limited) login."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user("staf@example.com", password="Benar-sekali-99", is_staff=True, is_superuser=True)


def test_admin_login_post_checks_no_password_and_sends_to_allauth(client, staff):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.username, "password": "Benar-sekali-99"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302  # still signed out


def test_anonymous_admin_ends_on_the_allauth_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1] == ("/accounts/login/?next=%2Fadmin%2F", 302)
    assert response.status_code == 200


def test_admin_login_is_the_rate_limited_allauth_view(client, staff, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,3/5m/key"}
    url = client.get("/admin/login/")["Location"]
    for _ in range(3):
        assert "Terlalu banyak" not in client.post(url, {"login": staff.email, "password": "salah"}).text
    blocked = client.post(url, {"login": staff.email, "password": "Benar-sekali-99"})
    assert "Terlalu banyak percobaan masuk yang gagal" in blocked.text  # even the right password


def test_signed_in_staff_uses_the_admin_and_others_get_403(client, staff, make_user):
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200
    client.force_login(make_user("biasa@example.com"))
    assert client.get("/admin/login/?next=/admin/").status_code == 403
    assert client.get("/admin/").status_code == 302  # the admin's own redirect, then 403 (no loop)
