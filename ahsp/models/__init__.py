from ahsp.models.audit import AuditEvent
from ahsp.models.copy_job import ProjectCopyJob
from ahsp.models.estimate import (
    AnalysisComponent,
    ProjectAnalysis,
    ProjectParameter,
    ProjectResource,
    Section,
    WorkItem,
)
from ahsp.models.export import ExportJob
from ahsp.models.project import Project, ProjectQuerySet
from ahsp.models.reference import (
    ReferenceAnalysis,
    ReferenceComponent,
    ReferenceImport,
    ReferenceResource,
    ResourceCategory,
)
from ahsp.models.reference_job import ReferenceImportJob
from ahsp.models.schedule import PlannedShare, ProgressEntry, Stage, WeekReport
from ahsp.models.security import LoginFailure, SubmissionToken
from ahsp.models.user import User
from ahsp.models.version import ProjectVersion, VersionChunk
from ahsp.models.work_template import WorkTemplate
from ahsp.models.workbook_job import WorkbookImportJob

__all__ = [
    "AnalysisComponent",
    "ProjectAnalysis",
    "ProjectParameter",
    "ProjectResource",
    "Section",
    "WorkItem",
    "AuditEvent",
    "ExportJob",
    "Project",
    "ProjectQuerySet",
    "ReferenceAnalysis",
    "ReferenceComponent",
    "ReferenceImport",
    "ReferenceImportJob",
    "WorkbookImportJob",
    "ProjectCopyJob",
    "ProjectVersion",
    "VersionChunk",
    "WorkTemplate",
    "ReferenceResource",
    "ResourceCategory",
    "User",
    "LoginFailure",
    "SubmissionToken",
    "PlannedShare",
    "ProgressEntry",
    "Stage",
    "WeekReport",
]
