"""The project backup file: the lossless project document (``ahsp.loaders.project_document``) as UTF-8
JSON, everything included (progress, week reports and the audit summary). It restores as a new project
(``manage.py restore_project`` or "Pulihkan dari cadangan") and is the format a copy goes through."""

import json

from ahsp.loaders.project_document import load_project_document
from ahsp.models import Project


def build_project_json(project: Project, *, progress=None) -> bytes:
    if progress is not None:
        progress(0, 1, "Membaca proyek")
    document = load_project_document(project, parts="progress", audit=True)
    if progress is not None:
        progress(1, 1, "Menulis berkas JSON")
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
