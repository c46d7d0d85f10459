"""The N+1 guard is really on in tests: a view that loops over a relation raises."""

import pytest
from zeal import NPlusOneError, zeal_context

from ahsp.models import ReferenceAnalysis, ReferenceComponent
from ahsp.tests.factories import ReferenceComponentFactory, ReferenceResourceFactory

pytestmark = pytest.mark.django_db


def test_n_plus_one_is_an_error():
    resource = ReferenceResourceFactory(code="TK.1", name="Pekerja", unit="OH", category="labour")
    for code in ("1", "2", "3"):
        analysis = ReferenceAnalysis.objects.create(source="S", code=code, name=code)
        ReferenceComponentFactory(analysis=analysis, resource=resource, coefficient=1)

    with pytest.raises(NPlusOneError), zeal_context():
        for component in ReferenceComponent.objects.all():
            _ = component.analysis.name
