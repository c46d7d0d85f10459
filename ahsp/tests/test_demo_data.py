"""The hand-written demo reference set is internally consistent and carries the standard coefficients."""

from decimal import Decimal, InvalidOperation

import pytest

from ahsp.demo import library as demo_data
from ahsp.demo.library import ANALYSES, RESOURCES, DemoAnalysis, DemoDataError, nested, r
from ahsp.models import ReferenceAnalysis, ReferenceComponent, ReferenceResource, ResourceCategory

RESOURCES_BY_CODE = demo_data.resources_by_code()
ANALYSES_BY_CODE = demo_data.analyses_by_code()


def coefficient_of(analysis_code: str, resource_name: str) -> Decimal:
    """The coefficient of the one component of `analysis_code` whose resource has this name."""
    found = [
        Decimal(c.coefficient)
        for c in ANALYSES_BY_CODE[analysis_code].components
        if not c.nested and RESOURCES_BY_CODE[c.code].name == resource_name
    ]
    assert len(found) == 1, f"{analysis_code} has {len(found)} lines for {resource_name}"
    return found[0]


def test_demo_set_size_and_codes_unique():
    assert 20 <= len(ANALYSES) <= 30
    assert len(ANALYSES_BY_CODE) == len(ANALYSES)
    assert len(RESOURCES_BY_CODE) == len(RESOURCES)


def test_every_analysis_has_unit_and_components():
    for analysis in ANALYSES:
        assert analysis.unit, analysis.code
        assert len(analysis.components) >= 1, analysis.code


def test_analysis_name_states_its_unit():
    # SNI names carry the work unit ("Galian 1 m3 ..."); the unit field must agree with it.
    for analysis in ANALYSES:
        assert f"1 {analysis.unit} " in f"{analysis.name} ", (analysis.code, analysis.unit, analysis.name)


def test_resource_category_matches_code_prefix():
    valid = {c.value for c in ResourceCategory}
    for resource in RESOURCES:
        prefix = resource.code.split(".")[0] + "."
        assert resource.category in valid, resource.code
        assert demo_data.CATEGORY_BY_PREFIX[prefix] == resource.category, resource.code


def test_labour_resources_are_in_oh_and_cover_the_usual_trades():
    labour = {res.name: res.unit for res in RESOURCES if res.category == ResourceCategory.LABOUR}
    assert set(labour.values()) == {"OH"}
    assert set(labour) == {
        "Pekerja",
        "Tukang batu",
        "Tukang kayu",
        "Tukang besi",
        "Tukang cat",
        "Tukang listrik",
        "Kepala tukang",
        "Mandor",
    }


def test_every_category_is_used():
    used = {RESOURCES_BY_CODE[c.code].category for a in ANALYSES for c in a.components if not c.nested}
    assert used == {ResourceCategory.LABOUR, ResourceCategory.MATERIAL, ResourceCategory.EQUIPMENT}


def test_components_refer_to_known_codes_without_duplicates():
    for analysis in ANALYSES:
        for component in analysis.components:
            known = ANALYSES_BY_CODE if component.nested else RESOURCES_BY_CODE
            assert component.code in known, (analysis.code, component.code)
        keys = [(c.code, c.nested) for c in analysis.components]
        assert len(keys) == len(set(keys)), analysis.code


def test_coefficients_are_positive_decimals_that_fit_the_model():
    field = ReferenceComponent._meta.get_field("coefficient")
    for analysis in ANALYSES:
        for component in analysis.components:
            try:
                value = Decimal(component.coefficient)
            except InvalidOperation:
                pytest.fail(f"{analysis.code} {component.code}: {component.coefficient!r} is not a number")
            assert value > 0, (analysis.code, component.code)
            assert -value.as_tuple().exponent <= field.decimal_places, (analysis.code, component.code)
            assert len(value.as_tuple().digits) <= field.max_digits


def test_texts_fit_model_fields():
    def max_length(model, name):
        return model._meta.get_field(name).max_length

    for resource in RESOURCES:
        assert len(resource.code) <= max_length(ReferenceResource, "code")
        assert len(resource.name) <= max_length(ReferenceResource, "name")
        assert len(resource.unit) <= max_length(ReferenceResource, "unit")
    for analysis in ANALYSES:
        assert len(analysis.code) <= max_length(ReferenceAnalysis, "code")
        assert len(analysis.unit) <= max_length(ReferenceAnalysis, "unit")
        assert len(demo_data.SOURCE) <= max_length(ReferenceAnalysis, "source")


def test_set_has_nested_analyses_in_dependency_order():
    order = demo_data.nesting_order()
    assert sorted(order) == sorted(ANALYSES_BY_CODE)
    nested_lines = [(a.code, c.code) for a in ANALYSES for c in a.components if c.nested]
    assert ("DEMO.3.7", "DEMO.3.3") in nested_lines  # plat lantai uses 1 m3 beton K-225
    for user, used in nested_lines:
        assert order.index(used) < order.index(user)


def test_nested_component_unit_is_the_nested_analysis_unit():
    slab = ANALYSES_BY_CODE["DEMO.3.7"]
    units = {c.code: demo_data.component_unit(c) for c in slab.components}
    assert units == {"DEMO.3.3": "m3", "DEMO.3.4": "kg", "DEMO.3.6": "m2"}
    # 0,12 m3 beton per m2 of slab at 150 kg of reinforcement per m3.
    coefficients = {c.code: Decimal(c.coefficient) for c in slab.components}
    assert coefficients["DEMO.3.4"] == coefficients["DEMO.3.3"] * 150


def test_nesting_order_rejects_a_cycle():
    cyclic = (
        DemoAnalysis("X.1", "Uji 1 m2 a", "m2", (r("TK.9001", "0.1"), nested("X.2", "1"))),
        DemoAnalysis("X.2", "Uji 1 m2 b", "m2", (nested("X.3", "1"),)),
        DemoAnalysis("X.3", "Uji 1 m2 c", "m2", (nested("X.1", "1"),)),
    )
    with pytest.raises(DemoDataError, match=r"X\.1 -> X\.2 -> X\.3 -> X\.1"):
        demo_data.nesting_order(cyclic)


def test_nesting_order_rejects_an_unknown_nested_code():
    broken = (DemoAnalysis("X.1", "Uji 1 m2 a", "m2", (nested("X.9", "1"),)),)
    with pytest.raises(DemoDataError, match=r"X\.9"):
        demo_data.nesting_order(broken)


@pytest.mark.parametrize(
    ("analysis_code", "resource_name", "expected"),
    [
        ("DEMO.2.1", "Pekerja", "0.750"),
        ("DEMO.2.1", "Mandor", "0.025"),
        ("DEMO.3.1", "Batu belah", "1.2"),
        ("DEMO.3.1", "Semen portland", "163"),
        ("DEMO.3.1", "Pasir pasang", "0.52"),
        ("DEMO.3.1", "Pekerja", "1.5"),
        ("DEMO.3.1", "Tukang batu", "0.75"),
        ("DEMO.3.1", "Kepala tukang", "0.075"),
        ("DEMO.3.1", "Mandor", "0.075"),
        ("DEMO.3.3", "Semen portland", "371"),
        ("DEMO.3.3", "Kerikil (maksimum 30 mm)", "1047"),
        ("DEMO.3.4", "Besi beton polos/ulir", "1.05"),
        ("DEMO.4.1", "Bata merah", "70"),
        ("DEMO.4.1", "Semen portland", "11.5"),
        ("DEMO.4.2", "Semen portland", "6.24"),
        ("DEMO.4.3", "Semen portland", "3.25"),
        ("DEMO.8.1", "Tukang cat", "0.063"),
    ],
)
def test_hand_checked_coefficients(analysis_code, resource_name, expected):
    assert coefficient_of(analysis_code, resource_name) == Decimal(expected)


def test_estimated_analyses_are_marked_for_review():
    for analysis in ANALYSES:
        if analysis.needs_review:
            assert demo_data.ESTIMATE_NOTE in analysis.notes, analysis.code
    assert ANALYSES_BY_CODE["DEMO.6.1"].needs_review  # baja ringan: no standard table behind it
    assert not ANALYSES_BY_CODE["DEMO.2.1"].needs_review
