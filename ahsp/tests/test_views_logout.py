import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def test_logout_after_a_session_cache_miss_is_not_an_n_plus_one(logged_in_client):
    """cached_db sessions read the row twice after a cache miss (load, then flush): allowed by zeal."""
    cache.clear()
    response = logged_in_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in logged_in_client.session
