"""One object per create form, however often it is submitted (double click, a resent POST, a retry).

Each create form carries a one-time token (``{% submit_token_field %}``, a hidden ``submit_token``).
The view creates the object and records the token with the object's URL in the same transaction
(``create_once``); a later submit of the same token by the same user finds it (``replay``) and goes to
what the first one created. Two submits at the same moment: the second one's insert of the token waits
for the first transaction and then violates the unique constraint, its own work is rolled back, and it
replays too. Tokens are kept for ``TOKEN_TTL`` (older ones are removed as new ones are recorded).
A form without a token (an old page, a script) is processed as before.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from uuid import uuid4

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from ahsp.models import SubmissionToken
from partials.htmx import is_partial

FIELD = "submit_token"
TOKEN_TTL = timedelta(days=1)
_TOKEN = re.compile(r"[0-9a-f]{32}")


def new_token() -> str:
    return uuid4().hex


def posted_token(request: HttpRequest) -> str | None:
    """The form's token; None when absent or not one of ours."""
    value = request.POST.get(FIELD, "")
    return value if _TOKEN.fullmatch(value) else None


def replay(request: HttpRequest) -> HttpResponse | None:
    """The answer to a repeated submit (a redirect to what the first one created), else None. Views ask
    before validating the form (a repeat may no longer be valid, e.g. a name now taken)."""
    token = posted_token(request)
    if token is None:
        return None
    target = (
        SubmissionToken.objects.filter(user=request.user, token=token)
        .values_list("target_url", flat=True)
        .first()
    )
    if target is None:
        return None
    messages.info(request, _("Formulir ini sudah terkirim sebelumnya; tidak dibuat dua kali."))
    return HttpResponseClientRedirect(target) if is_partial(request) else redirect(target)


def create_once[T](
    request: HttpRequest, create: Callable[[], T], url_of: Callable[[T], str]
) -> T | HttpResponse:
    """Run ``create`` and record the form's token with ``url_of(created)`` in one transaction; the
    created object, or (a concurrent submit of the same token won) the replay redirect."""
    token = posted_token(request)
    try:
        with transaction.atomic():
            created = create()
            if token is not None:
                SubmissionToken.objects.filter(created_at__lt=timezone.now() - TOKEN_TTL).delete()
                SubmissionToken.objects.create(
                    user=request.user, token=token, target_url=url_of(created)[:500]
                )
    except IntegrityError:
        if (repeated := replay(request)) is not None:
            return repeated
        raise
    return created
