import re

import pytest
from allauth.account.models import EmailAddress

from ahsp.models import User

pytestmark = pytest.mark.django_db


def test_login_page_is_indonesian(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="id"' in response.text
    assert "Masuk" in response.text


SIGNUP = {"password1": "Rahasia-kuat-2026", "password2": "Rahasia-kuat-2026"}


def test_signup_with_email_logs_in_after_confirming_it(client, mailoutbox):
    response = client.post("/accounts/signup/", {"email": "baru@example.com", **SIGNUP})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"  # "check your mail", not logged in yet
    user = User.objects.get(email="baru@example.com")
    assert user.password.startswith("md5$")  # fast hasher in tests
    assert client.get("/").status_code == 302
    (link,) = re.findall(r"http://testserver(/accounts/confirm-email/\S+/)", mailoutbox[0].body)
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert client.get("/").status_code == 200  # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION


def test_signup_with_a_registered_email_answers_like_a_new_one(client, make_user, mailoutbox):
    """No account enumeration: the same redirect and page for a registered e-mail as for a new one;
    the owner gets an "account already exists" mail, and no second account is made."""
    make_user("ada@example.com")

    new = client.post("/accounts/signup/", {"email": "belum-ada@example.com", **SIGNUP}, follow=True)
    client.cookies.clear()
    taken = client.post("/accounts/signup/", {"email": "ada@example.com", **SIGNUP}, follow=True)

    assert taken.status_code == new.status_code == 200
    assert taken.redirect_chain == new.redirect_chain == [("/accounts/confirm-email/", 302)]
    # CSRF tokens, CSP nonces, the e-mail itself
    strip = re.compile(r'[A-Za-z0-9]{64}|nonce="[^"]+"|belum-ada@example.com|ada@example.com')
    assert strip.sub("", taken.text) == strip.sub("", new.text)
    assert "sudah" not in taken.text.lower() and "already" not in taken.text.lower()
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    assert [m.to for m in mailoutbox] == [["belum-ada@example.com"], ["ada@example.com"]]


def test_login_with_email_and_wrong_password_message(client, make_user):
    user = make_user("masuk@example.com", password="Benar-sekali-99")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    bad = client.post("/accounts/login/", {"login": "masuk@example.com", "password": "salah"})
    assert bad.status_code == 200
    assert "tidak benar" in bad.text or "salah" in bad.text.lower()
    good = client.post("/accounts/login/", {"login": "masuk@example.com", "password": "Benar-sekali-99"})
    assert good.status_code == 302 and good["Location"] == "/"


def test_login_with_an_unconfirmed_email_asks_to_confirm_it(client, make_user, mailoutbox):
    make_user("belum@example.com", password="Benar-sekali-99")
    response = client.post("/accounts/login/", {"login": "belum@example.com", "password": "Benar-sekali-99"})
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert [m.to for m in mailoutbox] == [["belum@example.com"]]
    assert client.get("/").status_code == 302


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
