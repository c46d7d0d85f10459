"""The project document (``ahsp.loaders.project_document``) read back: ``reader`` parses the untrusted bytes
within bounds and checks typed fields with their JSON paths; ``plan`` turns a checked document into the
pure ``DocumentPlan`` that ``ahsp.services.project_restore`` writes (issue 15 §1)."""

from .plan import DocumentPlan, ItemPlan, SectionPlan, plan_document, plan_template, read_document
from .reader import MAX_BYTES, DocumentInvalid, Problem

__all__ = [
    "MAX_BYTES",
    "DocumentInvalid",
    "DocumentPlan",
    "ItemPlan",
    "Problem",
    "SectionPlan",
    "plan_document",
    "plan_template",
    "read_document",
]
