"""Reference and project data for estimate tests, with values simple enough to check by hand."""

from decimal import Decimal

from ahsp.models import ProjectResource
from ahsp.services import recalc, sections, work_items
from ahsp.tests.factories import (
    ProjectFactory,
    ReferenceAnalysisFactory,
    ReferenceComponentFactory,
    ReferenceResourceFactory,
)


def make_reference_library() -> dict:
    """Galian (labour only) and a slab that nests 0,12 m3 of concrete (cement + labour)."""
    worker = ReferenceResourceFactory(code="TK.0008", name="Pekerja", unit="OH", category="labour")
    foreman = ReferenceResourceFactory(code="TK.0006", name="Mandor", unit="OH", category="labour")
    cement = ReferenceResourceFactory(code="B.1871", name="Semen Portland", unit="kg", category="material")

    dig = ReferenceAnalysisFactory(code="2.2.1.1", name="Galian tanah biasa sedalam s.d. 1 m", unit="m3")
    ReferenceComponentFactory(analysis=dig, resource=worker, coefficient=Decimal("0.75"), position=1)
    ReferenceComponentFactory(analysis=dig, resource=foreman, coefficient=Decimal("0.025"), position=2)
    concrete = ReferenceAnalysisFactory(code="3.1.1.10", name="Beton mutu fc 19,3 MPa", unit="m3")
    ReferenceComponentFactory(analysis=concrete, resource=cement, coefficient=Decimal("371"), position=1)
    ReferenceComponentFactory(analysis=concrete, resource=worker, coefficient=Decimal("1.65"), position=2)
    slab = ReferenceAnalysisFactory(code="3.1.2.1", name="Plat lantai beton tebal 12 cm", unit="m2")
    ReferenceComponentFactory(
        analysis=slab, nested_analysis=concrete, coefficient=Decimal("0.12"), position=1
    )
    return {"dig": dig, "concrete": concrete, "slab": slab}


def make_dig_estimate(user) -> dict:
    """A project with one section and the excavation 2.2.1.1 priced: 0,75 OH x Rp 100.000,00 + 0,025 OH x
    Rp 150.000,00 = Rp 78.750,00, + 10 % = HSP Rp 86.625,00 (volume 0)."""
    library = make_reference_library()
    project = ProjectFactory(owner=user)
    section = sections.create(project=project, name="Pekerjaan Tanah", by=user)
    item = work_items.add_from_reference(project=project, section=section, reference=library["dig"], by=user)
    ProjectResource.objects.filter(project=project, code="TK.0008").update(unit_price=Decimal("100000"))
    ProjectResource.objects.filter(project=project, code="TK.0006").update(unit_price=Decimal("150000"))
    recalc.recalculate_project(project)
    item.refresh_from_db()
    return {"project": project, "section": section, "item": item, "library": library}
