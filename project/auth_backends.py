"""The signed-in user, read from the cache instead of the database on every request (issue 13 §1).

Django loads the user of a session with one query per request; on a cached page or widget that query is
a third of the work. ``CachedUserBackend`` (allauth's e-mail backend) keeps the user row in the cache for
``USER_TIMEOUT`` and the cached row is dropped whenever the user is saved or deleted (``forget``, connected
in ``ahsp.apps``): a password change, a deactivation or a new e-mail through the app or the admin takes
effect at the next request. Only a write that bypasses ``save()`` (``QuerySet.update`` in a shell) waits
up to ``USER_TIMEOUT``. Sessions signed in through allauth's own backend keep working (it stays listed).
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.core.cache import cache

USER_TIMEOUT = 5 * 60  # seconds


def user_key(user_id) -> str:
    return f"auth:user:{user_id}"


def forget(sender, instance, **kwargs) -> None:
    """Signal receiver (post_save / post_delete of the user model): the next request reads the row."""
    cache.delete(user_key(instance.pk))


class CachedUserBackend(AuthenticationBackend):
    def get_user(self, user_id):
        key = user_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(key, user, USER_TIMEOUT)
            return user
        return user if self.user_can_authenticate(user) else None
