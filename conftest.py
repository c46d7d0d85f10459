"""Shared pytest fixtures."""

import pytest
from django.core.cache import cache
from django.db import connection

from ahsp.tests.factories import PASSWORD, UserFactory


@pytest.fixture(scope="session", autouse=True)
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker):
    """At the end of the run, before pytest-django drops this worker's PostgreSQL test database, close the
    sessions other threads left on it (a live-server request thread of the browser tests keeps its
    persistent connection, CONN_MAX_AGE): ``DROP DATABASE`` refuses while any is open (seen in CI as
    "database ... is being accessed by other users")."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


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
