"""Data of the "Rekap Kebutuhan Sumber Daya" document (shared by the PDF, XLSX and CSV builders).

``load_document(project)`` is ``ahsp.loaders.requirements.load_requirements`` for the whole project (five queries):
every resource the work items need, expanded through nested analyses, by category (Tenaga Kerja, Bahan,
Peralatan, Lain-lain) and code, with its exact quantity, price, exact cost, and the quantity in its
purchase unit; the grand total equals the direct cost of the work items before BUK (the identity).

Analyses that nest each other in a loop (or a dangling nested analysis) make the requirements
incomputable: the document then carries the reason (``error``) instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ahsp.calculations.unit_price import UnitPriceError
from ahsp.loaders.requirements import RequirementGroup, Requirements, load_requirements
from ahsp.models import Project

TITLE = "Rekap Kebutuhan Sumber Daya"
MISSING_LABEL = "belum berharga"
EMPTY_NOTE = "Belum ada kebutuhan sumber daya: tambahkan pekerjaan dan isi volumenya di Daftar Pekerjaan."
TOTAL_LABEL = "Total biaya kebutuhan sumber daya"
DIRECT_LABEL = "Jumlah biaya langsung (sebelum BUK)"
RAB_LABEL = "Jumlah RAB (termasuk BUK, sebelum PPN)"
BALANCED_NOTE = (
    "Total biaya kebutuhan sama dengan jumlah volume × biaya langsung per satuan (D = upah + bahan + alat, "
    "tanpa BUK) semua pekerjaan. Jumlah RAB memakai HSP yang sudah termasuk BUK dan dibulatkan per pekerjaan."
)
LETTERS = {"labour": "A", "material": "B", "equipment": "C", "other": "D"}  # as the price list
UNBALANCED_NOTE = (
    "Total biaya kebutuhan berbeda dari jumlah biaya langsung: nilai analisa yang tersimpan belum diperbarui."
)


@dataclass(frozen=True)
class LetteredGroup:
    letter: str
    group: RequirementGroup

    @property
    def label(self) -> str:
        return str(self.group.label)  # a lazy translation of the category

    @property
    def rows(self):
        return self.group.rows

    @property
    def total(self):
        return self.group.total

    @property
    def missing_count(self) -> int:
        return self.group.missing_count


@dataclass(frozen=True)
class RequirementsDocument:
    report: Requirements | None  # None when the analyses cannot be expanded (``error``)
    error: str = ""

    @property
    def groups(self) -> list[LetteredGroup]:
        if self.report is None:
            return []
        return [LetteredGroup(LETTERS.get(group.category, "D"), group) for group in self.report.groups]

    @property
    def resource_count(self) -> int:
        return sum(len(group.rows) for group in self.report.groups) if self.report else 0

    def missing_note(self) -> str:
        count = self.report.missing_count if self.report else 0
        if not count:
            return ""
        return f"{count} sumber daya {MISSING_LABEL}: biayanya belum dihitung dalam total."


def load_document(project: Project) -> RequirementsDocument:
    try:
        return RequirementsDocument(load_requirements(project))
    except UnitPriceError as exc:  # a cycle or a dangling nested analysis: data to fix, not a crash
        return RequirementsDocument(None, f"Kebutuhan tidak dapat dihitung: {exc}")
