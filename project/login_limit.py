"""The failed-login limit in the database: it holds while the cache (Redis) is down.

allauth counts failed sign-ins in the cache. With Redis unreachable the cache ignores errors
(``project.cache``): the counter never grows and allauth limits nothing, so guessing passwords would be
unlimited for as long as Redis is down. This adapter records every failed sign-in in ``LoginFailure``
(per client address and per e-mail) and refuses a sign-in, before its password is checked, once either
has reached allauth's own ``login_failed`` rates (``ACCOUNT_RATE_LIMITS``, e.g. ``10/m/ip,5/5m/key``)
within their windows. It runs always, beside allauth's cache counter, so there is nothing to detect;
with the rate limits switched off (``ACCOUNT_RATE_LIMITS = False``) it does nothing either. A successful
sign-in does not wipe the failures (an attacker could otherwise interleave his own account's logins).
"""

from datetime import timedelta
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import get_ip, get_rates
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from ahsp.models import LoginFailure

ACTION = "login_failed"


def _rates():
    return [rate for rate in get_rates(app="allauth.account", action=ACTION) if rate.per in {"ip", "key"}]


def _keys(request: HttpRequest, credentials: dict[str, Any]) -> dict[str, str]:
    login = str(credentials.get("email", credentials.get("username", ""))).strip().lower()
    return {"ip": f"ip:{get_ip(request)}"[:300], "key": f"email:{login}"[:300]}


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        super().pre_authenticate(request, **credentials)  # allauth's counter in the cache
        rates = _rates()
        if not rates:
            return
        keys = _keys(request, credentials)
        now = timezone.now()
        counts = LoginFailure.objects.aggregate(
            **{
                f"r{index}": Count(
                    "pk", filter=Q(key=keys[rate.per], created_at__gte=now - timedelta(seconds=rate.duration))
                )
                for index, rate in enumerate(rates)
            }
        )
        if any(counts[f"r{index}"] >= rate.amount for index, rate in enumerate(rates)):
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        super().authentication_failed(request, **credentials)
        rates = _rates()
        if not rates:
            return
        now = timezone.now()
        longest = max(rate.duration for rate in rates)
        LoginFailure.objects.filter(created_at__lt=now - timedelta(seconds=longest)).delete()
        LoginFailure.objects.bulk_create(
            [
                LoginFailure(key=key, created_at=now)
                for key in dict.fromkeys(_keys(request, credentials).values())
            ]
        )
