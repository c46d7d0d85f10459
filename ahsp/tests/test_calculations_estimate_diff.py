"""The diff that explains (issue 15 §5): hand-worked effects, and on random pairs the parts add up exactly
to the whole while the rounding part stays within what rounding HSPs to cents can produce."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ahsp.calculations import estimate_diff as ed
from ahsp.calculations.graph import AnalysisCycleError
from ahsp.calculations.money import exact_context, quantize_money, round_to_step
from ahsp.calculations.totals import line_amount, vat_amount

BETON = (ed.Line("S", None, D("326")), ed.Line("P", None, D("1.65")))


def facts(items, analyses, prices, vat_pct=D("11")) -> ed.EstimateFacts:
    total = sum((item.amount for item in items.values()), D(0))
    vat = vat_amount(total, vat_pct)
    return ed.EstimateFacts(items, analyses, prices, total, vat, round_to_step(total + vat, 1000, "down"))


def item(name, volume, overhead, amount, analysis="X", section=("Struktur",)):
    return ed.ItemFacts(section, name, "m3", analysis, D(volume), D(overhead), D(amount))


def test_every_effect_worked_out_by_hand():
    # A: D = 326 x 1.450,75 + 1,65 x 152.500 = 724.569,50; HSP = x 1,10 = 797.026,45; 10 m3 = 7.970.264,50
    a = facts(
        {
            "beton": item("Beton", "10", "10", "7970264.50"),
            "papan": item("Papan nama", "1", "10", "500000.00"),
        },
        {"X": BETON},
        {"S": D("1450.75"), "P": D("152500")},
    )
    # B: semen Rp 1.500 and 330 kg, 12 m3, BUK 12 %: D = 495.000 + 251.625 = 746.625, HSP 836.220,
    #    12 m3 = 10.034.640; a new item of 1.000.000; the sign board gone.
    b = facts(
        {
            "beton": item("Beton", "12", "12", "10034640.00"),
            "bekisting": item("Bekisting", "1", "12", "1000000.00"),
        },
        {"X": (ed.Line("S", None, D("330")), ed.Line("P", None, D("1.65")))},
        {"S": D("1500.00"), "P": D("152500")},
    )
    diff = ed.diff_estimates(a, b)

    beton = next(i for i in diff.items if i.key == "beton")
    assert beton.effects == {
        ed.VOLUME: D("1594052.90"),  # (12 - 10) x 724.569,50 x 1,1
        ed.COEFFICIENT: D("76599.60"),  # 12 x 4 x 1.450,75 x 1,1
        ed.PRICE + "S": D("214533.00"),  # 12 x 330 x 49,25 x 1,1
        ed.OVERHEAD: D("179190.00"),  # 12 x 746.625 x 0,02
    }
    assert beton.change == D("2064375.50")
    assert {i.key: i.effects for i in diff.items if i.key != "beton"} == {
        "papan": {ed.REMOVED: D("-500000.00")},
        "bekisting": {ed.ADDED: D("1000000.00")},
    }
    # Totals: A 8.470.264,50 + PPN 931.729,10 = 9.401.993,60 -> 9.401.000;
    #         B 11.034.640 + PPN 1.213.810,40 = 12.248.450,40 -> 12.248.000.
    assert (diff.before, diff.after, diff.change) == (D("9401000"), D("12248000"), D("2847000"))
    assert diff.vat == D("282081.30")
    assert diff.total_rounding == D("543.20")  # -450,40 now, -993,60 before
    with exact_context():
        assert sum(diff.causes.values()) == diff.change
    assert ed.biggest_causes(diff, 2) == [(ed.VOLUME, D("1594052.90")), (ed.ADDED, D("1000000.00"))]
    assert diff.sections() == {
        ("Struktur",): {
            ed.VOLUME: D("1594052.90"),
            ed.COEFFICIENT: D("76599.60"),
            ed.PRICE + "S": D("214533.00"),
            ed.OVERHEAD: D("179190.00"),
            ed.REMOVED: D("-500000.00"),
            ed.ADDED: D("1000000.00"),
        }
    }


def test_the_rounding_of_hsp_to_cents_is_its_own_effect():
    # D = 0,333333 x 300 = 99,9999; HSP = 109,99989 -> 110,00. 3 m3 = 330,00 and 4 m3 = 440,00.
    analyses = {"X": (ed.Line("S", None, D("0.333333")),)}
    prices = {"S": D("300.00")}
    a = facts({"i": item("Urugan", "3", "10", "330.00")}, analyses, prices)
    b = facts({"i": item("Urugan", "4", "10", "440.00")}, analyses, prices)
    effects = ed.diff_estimates(a, b).items[0].effects
    assert effects == {ed.VOLUME: D("109.99989"), ed.ROUNDING: D("0.00011")}  # 4 x 109,99989 - 3 x 109,99989


def test_nested_analyses_are_multiplied_through():
    analyses = {"X": BETON, "Y": (ed.Line(None, "X", D("0.12")), ed.Line("P", None, D("0.35")))}
    assert ed.effective_coefficients(analyses)["Y"] == {
        "S": D("39.12"),
        "P": D("0.548"),
    }  # 0,12 x 1,65 + 0,35


def test_a_new_resource_is_a_recipe_change_and_a_missing_price_counts_as_zero():
    a = facts({"i": item("Beton", "1", "0", "0.00")}, {"X": (ed.Line("S", None, D("2")),)}, {"S": None})
    b = facts(
        {"i": item("Beton", "1", "0", "300.00")},
        {"X": (ed.Line("S", None, D("2")), ed.Line("K", None, D("1")))},
        {"S": D("100.00"), "K": D("100.00")},
    )
    effects = ed.diff_estimates(a, b).items[0].effects
    assert effects == {ed.COEFFICIENT: D("100.00"), ed.PRICE + "S": D("200.00")}


def test_a_cycle_is_refused():
    with pytest.raises(AnalysisCycleError):
        ed.effective_coefficients({"X": (ed.Line(None, "Y", D(1)),), "Y": (ed.Line(None, "X", D(1)),)})


# --- property: the parts add up to the whole; the rounding part is only rounding ------------------------

money = st.decimals(min_value=0, max_value=D("5000000"), places=2)
coefficient = st.decimals(min_value=0, max_value=D("400"), places=6)
volume = st.decimals(min_value=0, max_value=D("9999"), places=3)
percent = st.decimals(min_value=0, max_value=D("15"), places=2)


@st.composite
def sides(draw):
    """Two estimates over resources R0..R3 and analyses A0..A2 (A2 may nest A0), priced as the app does."""
    result = []
    for _side in range(2):
        prices = {f"R{n}": draw(st.one_of(st.none(), money)) for n in range(draw(st.integers(1, 4)))}
        codes = sorted(prices)
        analyses = {
            f"A{n}": tuple(
                ed.Line(draw(st.sampled_from(codes)), None, draw(coefficient))
                for _ in range(draw(st.integers(0, 3)))
            )
            for n in range(2)
        }
        analyses["A2"] = (ed.Line(None, "A0", draw(coefficient)), ed.Line(codes[0], None, draw(coefficient)))
        flat = ed.effective_coefficients(analyses)
        items = {}
        for key in draw(st.sets(st.sampled_from(["a", "b", "c", "d"]))):
            code, vol, buk = draw(st.sampled_from(sorted(analyses))), draw(volume), draw(percent)
            with exact_context():
                direct = sum((k * (prices[r] or 0) for r, k in flat[code].items()), D(0))
                hsp = quantize_money(direct * (1 + buk / 100))
            items[key] = ed.ItemFacts(("S",), key, "m3", code, vol, buk, line_amount(vol, hsp))
        result.append(
            facts(items, analyses, prices, vat_pct=draw(st.sampled_from([D("11"), D("12"), D("0")])))
        )
    return result


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(pair=sides())
def test_the_parts_add_up_exactly_to_the_whole(pair):
    a, b = pair
    diff = ed.diff_estimates(a, b)
    with exact_context():  # the effects carry every digit: sum them without rounding
        assert sum(diff.causes.values(), D(0)) == diff.change
        for effects in diff.items:
            assert sum(effects.effects.values(), D(0)) == effects.change
            if effects.key in a.items and effects.key in b.items:
                # HSP to cents moves each side's amount by at most V x 0,005, the amount to cents by 0,005.
                bound = (a.items[effects.key].volume + b.items[effects.key].volume) * D("0.005") + D("0.01")
                assert abs(effects.effects.get(ed.ROUNDING, D(0))) <= bound
