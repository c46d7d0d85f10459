"""Small hand-written factories (djangoproject.com style)."""

from datetime import date
from decimal import Decimal

from ahsp.models import Project


def make_project(owner, **fields) -> Project:
    defaults = {
        "name": "Pembangunan Gedung Serbaguna",
        "client": "Dinas PUPR Kabupaten Contoh",
        "location": "Kecamatan Sukamaju",
        "funding_source": "APBD",
        "fiscal_year": 2026,
        "budget_ceiling": Decimal("1500000000.00"),
        "start_date": date(2026, 3, 2),
        "duration_weeks": 20,
    }
    defaults.update(fields)
    return Project.objects.create(owner=owner, **defaults)
