"""Reference and project data for estimate tests, with values simple enough to check by hand."""

from decimal import Decimal

from ahsp.models import ReferenceAnalysis, ReferenceComponent, ReferenceResource


def make_reference_library() -> dict:
    """Galian (labour only) and a slab that nests 0,12 m3 of concrete (cement + labour)."""
    worker = ReferenceResource.objects.create(code="TK.0008", name="Pekerja", unit="OH", category="labour")
    foreman = ReferenceResource.objects.create(code="TK.0006", name="Mandor", unit="OH", category="labour")
    cement = ReferenceResource.objects.create(
        code="B.1871", name="Semen Portland", unit="kg", category="material"
    )

    def analysis(code, name, unit):
        return ReferenceAnalysis.objects.create(
            source="SNI 2025",
            code=code,
            name=name,
            unit=unit,
            search_text=ReferenceAnalysis.build_search_text(code, name),
            sort_key=ReferenceAnalysis.build_sort_key(code),
        )

    dig = analysis("2.2.1.1", "Galian tanah biasa sedalam s.d. 1 m", "m3")
    ReferenceComponent.objects.create(analysis=dig, resource=worker, coefficient=Decimal("0.75"), position=1)
    ReferenceComponent.objects.create(
        analysis=dig, resource=foreman, coefficient=Decimal("0.025"), position=2
    )
    concrete = analysis("3.1.1.10", "Beton mutu fc 19,3 MPa", "m3")
    ReferenceComponent.objects.create(
        analysis=concrete, resource=cement, coefficient=Decimal("371"), position=1
    )
    ReferenceComponent.objects.create(
        analysis=concrete, resource=worker, coefficient=Decimal("1.65"), position=2
    )
    slab = analysis("3.1.2.1", "Plat lantai beton tebal 12 cm", "m2")
    ReferenceComponent.objects.create(
        analysis=slab, nested_analysis=concrete, coefficient=Decimal("0.12"), position=1
    )
    return {"dig": dig, "concrete": concrete, "slab": slab}
