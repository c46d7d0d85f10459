"""The production cache: django-redis that keeps the site working while Redis is unreachable.

With ``IGNORE_EXCEPTIONS`` (set in settings), a connection error makes a read a miss and a write a no-op
(logged by django-redis), so sessions fall back to the database (``cached_db``), the dashboard widgets
are computed without their cache, and page metrics are not counted. One operation needs more: ``add``
would return ``None`` (falsy), and allauth's rate limiter takes a failed ``add`` for a lock held by
another request, waits a second and answers 429: nobody could sign in during an outage. Here an ``add``
that could not reach Redis reports success, so the rate limiter runs without its history instead of
refusing everyone; the failed-login limit still holds, because it is also kept in the database
(``project.login_limit``).
"""

from django_redis.cache import RedisCache


class ResilientRedisCache(RedisCache):
    def add(self, *args, **kwargs):
        added = super().add(*args, **kwargs)
        return True if added is None else added  # None: the connection error was ignored
