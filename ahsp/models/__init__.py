from ahsp.models.audit import AuditEvent
from ahsp.models.project import Project, ProjectQuerySet
from ahsp.models.reference import (
    ReferenceAnalysis,
    ReferenceComponent,
    ReferenceImport,
    ReferenceResource,
    ResourceCategory,
)
from ahsp.models.user import User

__all__ = [
    "AuditEvent",
    "Project",
    "ProjectQuerySet",
    "ReferenceAnalysis",
    "ReferenceComponent",
    "ReferenceImport",
    "ReferenceResource",
    "ResourceCategory",
    "User",
]
