"""Terbilang: numbers and rupiah amounts written out in Indonesian words (lower case; templates capitalise).

``terbilang(2_500_000) == "dua juta lima ratus ribu"``; ``terbilang_rupiah(Decimal("1200000000")) ==
"satu miliar dua ratus juta rupiah"``. Special forms: sebelas (11), X belas (12-19), seratus (100-199),
seribu (1000-1999, only for the thousands group: 1_000_000 is "satu juta", 101_000 "seratus satu ribu").
"""

from __future__ import annotations

from decimal import Decimal

from ahsp.calculations.money import quantize_money, to_decimal

LIMIT = 10**15  # up to 999 triliun

_DIGITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"))


def _below_thousand(n: int) -> list[str]:
    """Words for 1..999 (empty list for 0)."""
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [_DIGITS[hundreds], "ratus"]
    tens, ones = divmod(rest, 10)
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif tens == 1:
        words += [_DIGITS[ones], "belas"]
    else:
        if tens:
            words += [_DIGITS[tens], "puluh"]
        if ones:
            words.append(_DIGITS[ones])
    return words


def terbilang(n: int) -> str:
    """An integer in words: 0 "nol", 11 "sebelas", 1001 "seribu satu", -5 "minus lima".

    ``ValueError`` (Indonesian message) when ``abs(n) >= 10**15``; ``TypeError`` for non-int.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"terbilang needs an int, not {type(n).__name__}")
    if abs(n) >= LIMIT:
        raise ValueError("Angka terlalu besar untuk ditulis dengan huruf (paling besar 999 triliun lebih).")
    if n == 0:
        return "nol"
    if n < 0:
        return "minus " + terbilang(-n)
    words: list[str] = []
    rest = n
    for scale, name in _SCALES:
        group, rest = divmod(rest, scale)
        if not group:
            continue
        if group == 1 and name == "ribu":
            words.append("seribu")
        else:
            words += [*_below_thousand(group), name]
    words += _below_thousand(rest)
    return " ".join(words)


def terbilang_rupiah(amount: Decimal | int) -> str:
    """A rupiah amount in words, rounded to cents (half-up) first.

    ``"satu miliar dua ratus juta rupiah"``; with cents ``"seribu dua ratus rupiah lima puluh sen"``;
    negative ``"minus lima ribu rupiah"``; zero ``"nol rupiah"``.
    """
    numerator, denominator = quantize_money(to_decimal(amount, name="amount")).as_integer_ratio()
    cents_total = numerator * 100 // denominator  # exact: the quantized value is a whole number of cents
    sign = "minus " if cents_total < 0 else ""
    whole, cents = divmod(abs(cents_total), 100)
    text = f"{sign}{terbilang(whole)} rupiah"
    if cents:
        text += f" {terbilang(cents)} sen"
    return text
