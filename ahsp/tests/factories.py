"""Test data factories (factory_boy), shared by the unit tests and the browser tests (issue 14 §5).

Each factory builds one row with plain, valid defaults and nothing else: it never prices, totals or
recalculates anything. A test that needs a figure states it (``unit_price=``, ``coefficient=``) and
asserts the value it worked out by hand; a test about a write path goes through the services instead.
The only derived values are a reference analysis's ``search_text`` and ``sort_key``, which the model
itself derives from the code and name (``build_search_text``, ``build_sort_key``). A work item's HSP and
amount are whatever the test gives (0 by default, as the model's).
"""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from ahsp.models import (
    AnalysisComponent,
    PlannedShare,
    ProgressEntry,
    Project,
    ProjectAnalysis,
    ProjectResource,
    ReferenceAnalysis,
    ReferenceComponent,
    ReferenceResource,
    Section,
    Stage,
    User,
    WorkItem,
)

PASSWORD = "s3cret-pass-123"


class UserFactory(DjangoModelFactory):
    """An active user through ``create_user`` (hashed password ``PASSWORD``); username from the e-mail."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.LazyAttributeSequence(lambda user, n: f"{user.email.split('@')[0]}{n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class._default_manager.create_user(*args, **kwargs)


class ProjectFactory(DjangoModelFactory):
    """A project as the estimators fill it in: a 20-week schedule from Monday 2 March 2026."""

    class Meta:
        model = Project

    owner = factory.SubFactory(UserFactory)
    name = "Pembangunan Gedung Serbaguna"
    client = "Dinas PUPR Kabupaten Contoh"
    location = "Kecamatan Sukamaju"
    funding_source = "APBD"
    fiscal_year = 2026
    budget_ceiling = Decimal("1500000000.00")
    start_date = date(2026, 3, 2)
    duration_weeks = 20


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Pekerjaan {n + 1}")
    position = 0


class StageFactory(DjangoModelFactory):
    class Meta:
        model = Stage

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Tahap {n + 1}")
    position = 0


class ProjectResourceFactory(DjangoModelFactory):
    """A labour resource of the project, without a price unless ``unit_price`` is given."""

    class Meta:
        model = ProjectResource

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"L.{n + 1:02d}")
    name = "Pekerja"
    unit = "OH"
    category = "labour"
    unit_price = None


class ProjectAnalysisFactory(DjangoModelFactory):
    """An analysis of the project with no components (add ``AnalysisComponentFactory`` rows)."""

    class Meta:
        model = ProjectAnalysis

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"C.{n + 1}")
    name = factory.LazyAttribute(lambda analysis: f"Analisa {analysis.code}")
    unit = "m2"


class AnalysisComponentFactory(DjangoModelFactory):
    """A line of an analysis: a ``resource`` or a ``nested_analysis`` (give exactly one) and its coefficient."""

    class Meta:
        model = AnalysisComponent

    analysis = factory.SubFactory(ProjectAnalysisFactory)
    position = 0
    resource = None
    nested_analysis = None
    coefficient = Decimal("1")


class WorkItemFactory(DjangoModelFactory):
    """A work item in ``section`` over ``analysis`` (both of the item's project), volume 0 unless given."""

    class Meta:
        model = WorkItem

    project = factory.SubFactory(ProjectFactory)
    section = factory.SubFactory(SectionFactory, project=factory.SelfAttribute("..project"))
    analysis = factory.SubFactory(ProjectAnalysisFactory, project=factory.SelfAttribute("..project"))
    name = factory.LazyAttribute(lambda item: item.analysis.name)
    unit = factory.LazyAttribute(lambda item: item.analysis.unit)
    position = 0
    volume = Decimal("0")


class PlannedShareFactory(DjangoModelFactory):
    class Meta:
        model = PlannedShare

    work_item = factory.SubFactory(WorkItemFactory)
    week = 1
    share = Decimal("100")


class ProgressEntryFactory(DjangoModelFactory):
    class Meta:
        model = ProgressEntry

    work_item = factory.SubFactory(WorkItemFactory)
    week = 1
    progress = Decimal("100")


class ReferenceResourceFactory(DjangoModelFactory):
    class Meta:
        model = ReferenceResource

    code = factory.Sequence(lambda n: f"TK.{n + 1:04d}")
    name = "Pekerja"
    unit = "OH"
    category = "labour"


class ReferenceAnalysisFactory(DjangoModelFactory):
    """A library analysis, searchable and sorted as the importer stores it."""

    class Meta:
        model = ReferenceAnalysis

    source = "SNI 2025"
    code = factory.Sequence(lambda n: f"9.9.{n + 1}")
    name = factory.LazyAttribute(lambda analysis: f"Analisa {analysis.code}")
    unit = "m3"
    search_text = factory.LazyAttribute(lambda a: ReferenceAnalysis.build_search_text(a.code, a.name))
    sort_key = factory.LazyAttribute(lambda a: ReferenceAnalysis.build_sort_key(a.code))


class ReferenceComponentFactory(DjangoModelFactory):
    """A line of a library analysis: a ``resource`` or a ``nested_analysis`` and its coefficient."""

    class Meta:
        model = ReferenceComponent

    analysis = factory.SubFactory(ReferenceAnalysisFactory)
    position = 0
    resource = None
    nested_analysis = None
    coefficient = Decimal("1")
