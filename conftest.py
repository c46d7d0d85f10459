"""Shared pytest fixtures."""

import pytest
from django.core.cache import cache

from ahsp.tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Every test starts with an empty cache. On Redis (CI) only this worker's keys are deleted
    (settings_test gives each xdist worker its own key prefix): ``clear()`` would empty the whole
    database under the other workers' feet."""
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
    yield


@pytest.fixture
def make_user(db):
    """``UserFactory``, numbered from 1 in each test: user1@example.com (username user11), ...

    It asks for ``db`` (as pytest-django's ``django_user_model`` did), so a fixture that makes users
    gives database access to the tests that use it."""
    UserFactory.reset_sequence(1)

    def make(email: str | None = None, password: str = PASSWORD, **extra):
        return UserFactory(**({"email": email} if email else {}), password=password, **extra)

    return make


@pytest.fixture
def user(make_user):
    return make_user("estimator@example.com")


@pytest.fixture
def other_user(make_user):
    return make_user("other@example.com")


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client
