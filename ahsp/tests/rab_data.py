"""A small RAB worked out by hand, built through the services (used by the RAB view and CSV tests).

Project: BUK 10 %, PPN 11 %, total rounded down to Rp 1.000, HSP not rounded.

Resource prices: Pekerja (OH) 150.000; Mandor (OH) 200.000; Kayu (m3) 3.500.000; Semen (kg) 1.500.

Analyses (D = sum of coefficient x price; E = 10 % of D; HSP = D + E):
- C.1 Pemasangan bowplank (m'):  0,1 x 150.000 + 0,012 x 3.500.000 = 15.000 + 42.000 = 57.000;
  E = 5.700; HSP = 62.700,00
- C.2 Galian tanah biasa (m3):    0,5 x 150.000 + 0,05 x 200.000 = 75.000 + 10.000 = 85.000;
  E = 8.500; HSP = 93.500,00 (reference code set to 2.2.1.1, so the RAB shows that code)
- C.3 Plesteran 1:4 (m2):         0,3 x 150.000 + 6,24 x 1.500 = 45.000 + 9.360 = 54.360;
  E = 5.436; HSP = 59.796,00

Work items:
- I   Pekerjaan Persiapan dan Tanah
  - I.1  Pemasangan bowplank   2,5 m'  x 62.700 = 156.750,00
  - I.2  Galian tanah biasa    10 m3   x 93.500 = 935.000,00
  subtotal I = 1.091.750,00
- II  Pekerjaan Plesteran
  - II.1 Plesteran 1:4         12,75 m2 x 59.796 = 717.552 + 44.847 = 762.399,00
  subtotal II = 762.399,00

Jumlah = 1.091.750 + 762.399 = 1.854.149,00
PPN 11 % = 1.854.149 x 0,11 = 203.956,39
Jumlah total = 2.058.105,39
Dibulatkan (ke bawah, Rp 1.000) = 2.058.000,00
Terbilang: "Dua juta lima puluh delapan ribu rupiah"

Bobot (amount / 1.854.149 x 100, 6 decimals half-up):
- I.1  156.750 -> 8,454013134... -> 8,454013
- I.2  935.000 -> 50,427446769... -> 50,427447
- II.1 762.399 -> 41,118540095... -> 41,118540
- I  1.091.750 -> 58,881459904... -> 58,881460;  II = 41,118540
"""

from dataclasses import dataclass
from decimal import Decimal

from ahsp.exports.rab_csv import build_rab_csv
from ahsp.loaders import rab as rab_loader
from ahsp.loaders.rab_notes import load_rab_notes
from ahsp.models import AnalysisComponent, Project, ProjectAnalysis, ProjectResource, Section, WorkItem
from ahsp.services import recalc, sections, work_items
from ahsp.tests.factories import ProjectFactory, ProjectResourceFactory


@dataclass
class SmallRab:
    project: Project
    earthwork: Section  # I
    plaster: Section  # II
    bowplank: WorkItem  # I.1
    excavation: WorkItem  # I.2
    plastering: WorkItem  # II.1


def _price(analysis: ProjectAnalysis, *lines: tuple[ProjectResource, str]) -> None:
    AnalysisComponent.objects.bulk_create(
        AnalysisComponent(analysis=analysis, position=i, resource=resource, coefficient=Decimal(k))
        for i, (resource, k) in enumerate(lines)
    )


def build_small_rab(user, **project_fields) -> SmallRab:
    fields = {
        "name": "Gedung Serbaguna",
        "overhead_profit_pct": Decimal("10"),
        "vat_pct": Decimal("11"),
        "rounding_step": 1000,
        "rounding_mode": "down",
        **project_fields,
    }
    project = ProjectFactory(owner=user, **fields)
    earthwork = sections.create(project=project, name="Pekerjaan Persiapan dan Tanah", by=user)
    plaster = sections.create(project=project, name="Pekerjaan Plesteran", by=user)
    bowplank = work_items.add_custom(
        project=project, section=earthwork, name="Pemasangan bowplank", unit="m'", by=user
    )
    excavation = work_items.add_custom(
        project=project, section=earthwork, name="Galian tanah biasa", unit="m3", by=user
    )
    plastering = work_items.add_custom(
        project=project, section=plaster, name="Plesteran 1:4", unit="m2", by=user
    )

    def resource(code, name, unit, category, price):
        return ProjectResourceFactory(
            project=project, code=code, name=name, unit=unit, category=category, unit_price=Decimal(price)
        )

    worker = resource("L.01", "Pekerja", "OH", "labour", "150000")
    foreman = resource("L.04", "Mandor", "OH", "labour", "200000")
    timber = resource("M.10", "Kayu kelas III", "m3", "material", "3500000")
    cement = resource("M.15", "Semen Portland", "kg", "material", "1500")
    _price(bowplank.analysis, (worker, "0.1"), (timber, "0.012"))
    _price(excavation.analysis, (worker, "0.5"), (foreman, "0.05"))
    _price(plastering.analysis, (worker, "0.3"), (cement, "6.24"))
    ProjectAnalysis.objects.filter(pk=excavation.analysis_id).update(reference_code="2.2.1.1")
    recalc.recalculate_project(project)

    for item, volume in ((bowplank, "2.5"), (excavation, "10"), (plastering, "12.75")):
        work_items.set_volume(item=item, volume=Decimal(volume), expected_version=None, by=user)
    return SmallRab(
        project=project,
        earthwork=earthwork,
        plaster=plaster,
        bowplank=WorkItem.objects.get(pk=bowplank.pk),
        excavation=WorkItem.objects.get(pk=excavation.pk),
        plastering=WorkItem.objects.get(pk=plastering.pk),
    )


def rab_csv_bytes(project: Project) -> bytes:
    """The RAB CSV as the page's direct download streams it (with its notes): an export job's file must be
    these bytes."""
    summary = rab_loader.load_rab_summary(project, count_missing_prices=False)
    notes = load_rab_notes(project, summary)
    return b"".join(build_rab_csv(summary, rab_loader.iter_full_rab(project, summary), notes=notes))
