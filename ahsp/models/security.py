"""Small records for request safety: used form tokens (a double submit creates one object) and failed
sign-ins (a login rate limit that works while the cache is down)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SubmissionToken(models.Model):
    """A create form's one-time token, used by ``user``: a second submit of the same form goes to
    ``target_url`` (what the first one created) instead of creating again. Kept for a day
    (``ahsp.idempotency``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    target_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="submission_token_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.token}"


class LoginFailure(models.Model):
    """One failed sign-in, under the key it counts against (``ip:<address>`` or ``email:<address>``).
    Rows older than the longest limit window are removed as new ones arrive (``project.login_limit``)."""

    key = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["key", "created_at"], name="login_failure_key_time")]

    def __str__(self) -> str:
        return f"{self.key} {self.created_at:%Y-%m-%d %H:%M:%S}"
