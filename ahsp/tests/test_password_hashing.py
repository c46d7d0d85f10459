"""Passwords are hashed with OWASP's Argon2id parameters (project/hashers.py), and a hash made with
Django's default Argon2 parameters is rehashed with them at the next successful login (allauth's view)."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password

from project import settings as production
from project.hashers import OWASPArgon2PasswordHasher

PRODUCTION_HASHERS = production.PASSWORD_HASHERS
PASSWORD = "Benar-sekali-99"


def argon2_params(encoded: str) -> tuple[str, int, int, int]:
    decoded = OWASPArgon2PasswordHasher().decode(encoded)
    return decoded["variety"], decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]


def test_production_hashes_with_owasp_argon2id_first_and_still_verifies_older_hashes():
    assert PRODUCTION_HASHERS[0] == "project.hashers.OWASPArgon2PasswordHasher"
    # Not Django's Argon2 too: same algorithm name, and the last one listed would shadow ours.
    assert "django.contrib.auth.hashers.Argon2PasswordHasher" not in PRODUCTION_HASHERS
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in PRODUCTION_HASHERS[1:]
    assert OWASPArgon2PasswordHasher.algorithm == "argon2"  # existing "argon2$..." hashes verify


def test_new_hash_has_owasp_parameters(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS

    encoded = make_password(PASSWORD)

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert argon2_params(encoded) == ("argon2id", 19456, 2, 1)
    assert isinstance(identify_hasher(encoded), OWASPArgon2PasswordHasher)
    assert not identify_hasher(encoded).must_update(encoded)


@pytest.mark.django_db
def test_login_upgrades_a_default_argon2_hash(client, make_user, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = make_user("lama@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    old_hash = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.password = old_hash
    user.save(update_fields=["password"])
    assert argon2_params(old_hash) == ("argon2id", 102400, 2, 8)  # Django's default
    assert isinstance(identify_hasher(old_hash), OWASPArgon2PasswordHasher)

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert user.password != old_hash
    assert argon2_params(user.password) == ("argon2id", 19456, 2, 1)
    assert user.check_password(PASSWORD)
    assert client.get("/").status_code == 200  # still signed in after the rehash


@pytest.mark.django_db
def test_wrong_password_does_not_rehash(client, make_user, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = make_user("lama2@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    old_hash = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.password = old_hash
    user.save(update_fields=["password"])

    response = client.post("/accounts/login/", {"login": user.email, "password": "salah-sekali-99"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == old_hash
