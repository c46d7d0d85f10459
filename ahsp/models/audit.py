from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One recorded change. No foreign keys: history survives deletion of what it describes."""

    class Action(models.TextChoices):
        CREATE = "create", _("dibuat")
        UPDATE = "update", _("diubah")
        ARCHIVE = "archive", _("diarsipkan")
        DELETE = "delete", _("dihapus")
        IMPORT = "import", _("diimpor")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254, blank=True)
    project_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project_id", "-created_at", "-id"], name="audit_project_created_idx"),
            models.Index(fields=["-created_at", "-id"], name="audit_created_idx"),
            # The trail's filters, each a keyset walk of its own (a rare value never scans the table).
            models.Index(
                fields=["project_id", "action", "-created_at", "-id"], name="audit_project_action_idx"
            ),
            models.Index(
                fields=["project_id", "target_type", "-created_at", "-id"], name="audit_project_type_idx"
            ),
            models.Index(
                fields=["project_id", "actor_id", "-created_at", "-id"], name="audit_project_actor_idx"
            ),
            models.Index(fields=["action", "-created_at", "-id"], name="audit_action_idx"),
            models.Index(fields=["target_type", "-created_at", "-id"], name="audit_type_idx"),
            models.Index(fields=["actor_id", "-created_at", "-id"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.summary}"
