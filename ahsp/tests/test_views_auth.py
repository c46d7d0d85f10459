import pytest

from ahsp.models import User

pytestmark = pytest.mark.django_db


def test_login_page_is_indonesian(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="id"' in response.text
    assert "Masuk" in response.text


def test_signup_with_email_logs_in(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "baru@example.com", "password1": "Rahasia-kuat-2026", "password2": "Rahasia-kuat-2026"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="baru@example.com")
    assert user.password.startswith("md5$")  # fast hasher in tests
    assert client.get("/").status_code == 200


def test_login_with_email_and_wrong_password_message(client, make_user):
    make_user("masuk@example.com", password="Benar-sekali-99")
    bad = client.post("/accounts/login/", {"login": "masuk@example.com", "password": "salah"})
    assert bad.status_code == 200
    assert "tidak benar" in bad.text or "salah" in bad.text.lower()
    good = client.post("/accounts/login/", {"login": "masuk@example.com", "password": "Benar-sekali-99"})
    assert good.status_code == 302


def test_english_is_available(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert 'lang="en"' in response.text


def test_production_settings_use_argon2_first():
    from project import settings

    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.ACCOUNT_RATE_LIMITS  # on unless switched off explicitly


def test_browser_language_does_not_override_indonesian_default(client):
    response = client.get("/accounts/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="id"' in response.text
    assert "Lupa kata sandi" in response.text


def test_password_reset_sends_indonesian_mail(client, make_user, mailoutbox):
    make_user("lupa@example.com")
    response = client.post("/accounts/password/reset/", {"email": "lupa@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["lupa@example.com"]


def test_password_change_page_requires_login_and_works(logged_in_client, user):
    response = logged_in_client.post(
        "/accounts/password/change/",
        {"oldpassword": "s3cret-pass-123", "password1": "Sandi-baru-2026!", "password2": "Sandi-baru-2026!"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Sandi-baru-2026!")


def test_two_signups_get_distinct_generated_usernames(client):
    for email in ("satu@example.com", "dua@example.com"):
        client.logout()
        response = client.post(
            "/accounts/signup/",
            {"email": email, "password1": "Rahasia-kuat-2026", "password2": "Rahasia-kuat-2026"},
        )
        assert response.status_code == 302
    usernames = set(User.objects.values_list("username", flat=True))
    assert len(usernames) == 2 and "" not in usernames


def test_english_translation_of_app_pages(logged_in_client):
    logged_in_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = logged_in_client.get("/")
    assert "Dashboard" in response.text and "Dasbor" not in response.text
