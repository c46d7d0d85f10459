"""A small demo estimate (written by hand) so `make run` shows a complete RAB.

Prices are illustrative 2026 market prices for a regency in West Java, not an official price list.
"""

from decimal import Decimal

from django.db import transaction

from ahsp.models import Project, ProjectResource, ReferenceAnalysis
from ahsp.services import recalc, sections, work_items
from ahsp.services.bulk import update_rows

DEMO_PRICES = {
    "TK.9001": "110000",  # Pekerja, per OH
    "TK.9002": "135000",
    "TK.9003": "135000",
    "TK.9004": "135000",
    "TK.9005": "135000",
    "TK.9006": "140000",
    "TK.9007": "150000",
    "TK.9008": "160000",
    "B.9001": "1450",  # Semen portland, per kg
    "B.9002": "280000",
    "B.9003": "210",
    "B.9004": "230",
    "B.9005": "50",
    "B.9006": "180000",
    "B.9007": "300000",
    "B.9008": "900",
    "B.9009": "14500",
    "B.9010": "25000",
    "B.9011": "4200000",
    "B.9012": "4200000",
    "B.9013": "4000000",
    "B.9014": "6500000",
    "B.9015": "22000",
    "B.9016": "30000",
    "B.9017": "145000",
    "B.9018": "30000",
    "B.9019": "7000",
    "B.9020": "15000",
    "B.9021": "20000",
    "B.9022": "40000",
    "B.9023": "45000",
    "B.9024": "85000",
    "B.9025": "40000",
    "B.9026": "60000",
    "B.9027": "45000",
    "B.9028": "300",
    "B.9029": "20000",
    "B.9030": "95000",
    "B.9031": "40000",
    "B.9032": "55000",
    "B.9033": "400",
    "B.9034": "9000",
    "B.9035": "20000",
    "B.9036": "5000",
    "B.9037": "1500",
    "B.9038": "2500000",
    "PR.9001": "75000",
}

# (section, [(reference code, volume)]); sub-sections are not needed for the demo.
DEMO_BREAKDOWN = [
    ("Pekerjaan Persiapan", [("DEMO.1.1", "240"), ("DEMO.1.2", "64")]),
    ("Pekerjaan Tanah", [("DEMO.2.1", "38,4"), ("DEMO.2.2", "12,8"), ("DEMO.2.3", "9,6")]),
    ("Pekerjaan Pondasi dan Beton", [("DEMO.3.2", "3,2"), ("DEMO.3.1", "25,6"), ("DEMO.3.7", "96")]),
    ("Pekerjaan Dinding", [("DEMO.4.1", "310"), ("DEMO.4.2", "620"), ("DEMO.4.3", "620")]),
    ("Pekerjaan Lantai dan Plafon", [("DEMO.5.1", "180"), ("DEMO.7.2", "180")]),
]


@transaction.atomic
def build_demo_estimate(*, project: Project, by) -> int:
    """Sections, work items from the demo library, volumes and prices. Returns the number of items."""
    references = {r.code: r for r in ReferenceAnalysis.objects.filter(code__startswith="DEMO.")}
    count = 0
    for section_name, lines in DEMO_BREAKDOWN:
        section = sections.create(project=project, name=section_name, by=by)
        for code, volume in lines:
            item = work_items.add_from_reference(
                project=project, section=section, reference=references[code], by=by
            )
            work_items.set_volume(
                item=item, volume=Decimal(volume.replace(",", ".")), expected_version=None, by=by
            )
            count += 1
    resources = list(ProjectResource.objects.filter(project=project))
    for resource in resources:
        resource.unit_price = Decimal(DEMO_PRICES[resource.code])
    update_rows(ProjectResource, resources, ["unit_price"])
    recalc.recalculate_project(project)
    return count
