"""ahsp.calculations.formula: the safe volume formula evaluator. Pure, no DB."""

from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ahsp.calculations.formula import FormulaError, evaluate, names_in

D = Decimal

PARAMS = {"panjang": D("12"), "lebar": D("8"), "p": D("1.25"), "T_1": D("3")}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("panjang * lebar * 0.15", "14.40"),  # 12 x 8 = 96; 96 x 0.15 = 14.40
        ("PANJANG*Lebar*0,15", "14.40"),  # names case-insensitive, comma decimal
        ("2 + 3 * 4", "14"),  # * before +
        ("(2 + 3) * 4", "20"),
        ("10 - 4 - 3", "3"),  # left-associative: (10 - 4) - 3; right-assoc would give 9
        ("24 / 4 / 2", "3"),  # (24 / 4) / 2
        ("-2 * -3", "6"),
        ("--2", "2"),
        ("+2", "2"),
        ("-(1.5 + 0.25)", "-1.75"),
        ("1/8", "0.125"),  # terminating quotient: exact
        ("0.1 + 0.2", "0.3"),  # exact (float gives 0.30000000000000004)
        ("2 * (p - 0.5) * 3", "4.50"),  # 2 x 0.75 x 3
        ("t_1 * 2", "6"),  # underscore and digits in names; T_1 given upper-case
        ("  12\t*\n8 ", "96"),
        ("((((7))))", "7"),
        ("3 - 3", "0"),
        ("-0", "0"),  # never -0
        ("10 / 3", "3." + "3" * 33),  # non-terminating: 34 significant digits, half-up
        ("20 / 3", "6." + "6" * 32 + "7"),
        ("10 / 3 * 3", "9." + "9" * 33),  # documented: the rounded quotient stays rounded
        (
            "99999999999999999999 * 99999999999999999999",
            "9999999999999999999800000000000000000001",
        ),  # > 28 digits, exact
    ],
)
def test_evaluate_table(formula, expected):
    result = evaluate(formula, PARAMS)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("x * 2", "Parameter 'x' tidak dikenal"),
        ("Tinggi", "Parameter 'tinggi' tidak dikenal"),
        ("1 / 0", "Pembagian dengan nol"),
        ("1 / (panjang - 12)", "Pembagian dengan nol"),
        ("0 / 0", "Pembagian dengan nol"),
        ("1 +", "Rumus tidak valid di posisi 4: "),  # the end of the formula is position 4
        ("2 3", "Rumus tidak valid di posisi 3: diharapkan operator"),
        ("(1 + 2", "Rumus tidak valid di posisi 7: diharapkan “)”"),
        ("1 + 2)", "Rumus tidak valid di posisi 6: tanda “)” tanpa pasangan"),
        ("()", "Rumus tidak valid di posisi 2: "),
        ("1.2.3", "Rumus tidak valid di posisi 4: "),
        ("1.234,5", "Rumus tidak valid di posisi 6: "),  # no thousands separators in formulas
        ("1.", "Rumus tidak valid di posisi 3: "),
        (".5", "Rumus tidak valid di posisi 1: "),
        ("3abc", "Rumus tidak valid di posisi 2: nama parameter harus diawali huruf"),
        ("_a", "Rumus tidak valid di posisi 1: karakter “_”"),
        ("2 ^ 3", "Rumus tidak valid di posisi 3: karakter “^”"),
        ("2 x 3", "Rumus tidak valid di posisi 3: diharapkan operator"),  # 'x' is a name, not times
        ("__import__('os')", "Rumus tidak valid di posisi 1"),
        ("panjang * * 2", "Rumus tidak valid di posisi 11"),
        ("", "Rumus kosong"),
        ("   ", "Rumus kosong"),
        ("1" + "+1" * 250, "Rumus terlalu panjang"),  # 501 characters
        ("(" * 51 + "1" + ")" * 51, "Rumus terlalu bertingkat"),
        ("-" * 51 + "1", "Rumus terlalu bertingkat"),
        ("9" * 250 + "*" + "9" * 249, "Hasil rumus terlalu besar"),  # a 499-digit product: beyond exact
    ],
)
def test_evaluate_errors(formula, message):
    with pytest.raises(FormulaError) as info:
        evaluate(formula, PARAMS)
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ValueError)


def test_evaluate_limits_are_inclusive():
    assert evaluate("(" * 50 + "1" + ")" * 50, {}) == 1  # depth 50 is allowed
    assert evaluate("-" * 50 + "1", {}) == 1  # 50 unary minus signs: even -> +1
    assert evaluate("1" + "+1" * 249 + " ", {}) == 250  # exactly 500 characters


def test_evaluate_conflicting_parameter_names():
    with pytest.raises(FormulaError):
        evaluate("a", {"a": D("1"), "A": D("2")})
    assert evaluate("a", {"a": D("1"), "A": D("1")}) == 1


def test_evaluate_refuses_float_parameters():
    with pytest.raises(TypeError):
        evaluate("a", {"a": 1.5})


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("Panjang * lebar + PANJANG", {"panjang", "lebar"}),
        ("1 + 2", set()),
        ("(a1 - b_2) / c", {"a1", "b_2", "c"}),
        ("x / 0", {"x"}),  # names only: no evaluation, so no division error
    ],
)
def test_names_in(formula, expected):
    assert names_in(formula) == expected


def test_names_in_checks_syntax():
    with pytest.raises(FormulaError):
        names_in("a +")


# ------------------------------------------------------------------------------------- properties

small = st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False, allow_infinity=False)
trees = st.recursive(
    small,
    lambda children: st.tuples(st.sampled_from("+-*"), children, children),
    max_leaves=12,
)


def _render(tree) -> str:
    if isinstance(tree, Decimal):
        return str(tree)  # negative leaves render as "-1.50": unary minus
    op, left, right = tree
    return f"({_render(left)} {op} {_render(right)})"


def _value(tree) -> Decimal:
    if isinstance(tree, Decimal):
        return tree
    op, left, right = tree
    a, b = _value(left), _value(right)
    return a + b if op == "+" else a - b if op == "-" else a * b


@settings(deadline=None)
@given(trees)
def test_evaluate_matches_direct_decimal_arithmetic(tree):
    text = _render(tree)
    if len(text) > 500:
        return
    with localcontext() as ctx:
        ctx.prec = 1000  # the direct computation must not round either
        expected = _value(tree)
    assert evaluate(text, {}) == expected


@given(st.text(max_size=60) | st.text(alphabet="0123456789.,+-*/() abxyzAB_", max_size=60))
def test_evaluate_only_raises_formula_error(text):
    try:
        result = evaluate(text, {"a": D("2"), "b": D("0"), "x": D("-1.5")})
    except FormulaError as error:
        assert str(error)
    else:
        assert isinstance(result, Decimal)
    try:
        names_in(text)
    except FormulaError:
        pass
