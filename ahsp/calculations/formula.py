"""Safe volume formulas (``panjang * lebar * 0,15``) over exact Decimal, with no eval/exec/ast.

Grammar (recursive descent)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | primary
    primary := NUMBER | NAME | "(" expr ")"
    NUMBER  := digits [("." | ",") digits]      # one decimal separator, dot or comma; no thousands
    NAME    := letter (letter | digit | "_")*    # ASCII, matched case-insensitively

Arithmetic is exact for ``+ - *``; ``/`` is exact when the quotient terminates and otherwise rounded
half-up to ``DIVISION_PRECISION`` significant digits (far below any volume's 4 decimals). Limits: 500
characters, nesting (parentheses and unary signs) at most 50 deep; a result needing more than
``EXACT_PRECISION`` digits is refused. Every problem raises ``FormulaError`` (Indonesian message); no other
exception escapes for any input text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, DecimalException, Inexact, localcontext

from ahsp.calculations.money import EXACT_PRECISION, exact_context, to_decimal

MAX_LENGTH = 500
MAX_DEPTH = 50
DIVISION_PRECISION = 34

_DIVISION = Context(prec=DIVISION_PRECISION, rounding=ROUND_HALF_UP)


class FormulaError(ValueError):
    """A formula that cannot be evaluated; ``str(error)`` is shown to the user (Bahasa Indonesia)."""


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "name", "op", "(", ")", "end"
    text: str
    position: int  # 1-based character position, as shown to users


def _describe(token: _Token) -> str:
    return "akhir rumus" if token.kind == "end" else f"“{token.text}”"


def _syntax(position: int, detail: str) -> FormulaError:
    return FormulaError(f"Rumus tidak valid di posisi {position}: {detail}")


def _is_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _digits_end(formula: str, index: int) -> int:
    while index < len(formula) and _is_digit(formula[index]):
        index += 1
    return index


def _number_end(formula: str, index: int) -> int:
    """End of the number starting at ``index``: digits, at most one decimal separator followed by digits."""
    length = len(formula)
    index = _digits_end(formula, index)
    if index < length and formula[index] in ".,":
        index += 1
        if index >= length or not _is_digit(formula[index]):
            raise _syntax(index + 1, "angka desimal harus diikuti angka sesudah tanda pemisah")
        index = _digits_end(formula, index)
        if index < length and formula[index] in ".,":
            raise _syntax(index + 1, "angka hanya boleh punya satu tanda desimal (tanpa pemisah ribuan)")
    if index < length and (_is_letter(formula[index]) or formula[index] == "_"):
        raise _syntax(index + 1, "nama parameter harus diawali huruf")
    return index


def _name_end(formula: str, index: int) -> int:
    while index < len(formula) and (
        _is_letter(formula[index]) or _is_digit(formula[index]) or formula[index] == "_"
    ):
        index += 1
    return index


def _tokenize(formula: str) -> list[_Token]:
    tokens: list[_Token] = []
    index, length = 0, len(formula)
    while index < length:
        char = formula[index]
        start = index
        if char.isspace():
            index += 1
        elif _is_digit(char):
            index = _number_end(formula, index)
            tokens.append(_Token("number", formula[start:index].replace(",", "."), start + 1))
        elif _is_letter(char):
            index = _name_end(formula, index)
            tokens.append(_Token("name", formula[start:index].lower(), start + 1))
        elif char in "+-*/()":
            index += 1
            tokens.append(_Token("op" if char in "+-*/" else char, char, start + 1))
        else:
            raise _syntax(start + 1, f"karakter “{char}” tidak dikenal")
    tokens.append(_Token("end", "", length + 1))
    return tokens


class _Parser:
    """Parses and (when ``params`` is given) evaluates in one pass; without params it only collects names."""

    def __init__(self, formula: str, params: Mapping[str, Decimal] | None):
        if len(formula) > MAX_LENGTH:
            raise FormulaError(f"Rumus terlalu panjang (paling banyak {MAX_LENGTH} karakter).")
        if not formula.strip():
            raise FormulaError("Rumus kosong.")
        self.tokens = _tokenize(formula)
        self.index = 0
        self.depth = 0
        self.params = params
        self.names: set[str] = set()

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Decimal | None:
        value = self.expr()
        if self.current.kind != "end":
            token = self.current
            detail = (
                "tanda “)” tanpa pasangan “(”"
                if token.kind == ")"
                else f"diharapkan operator (+ - * /), bukan {_describe(token)}"
            )
            raise _syntax(token.position, detail)
        return value

    def expr(self) -> Decimal | None:
        value = self.term()
        while self.current.kind == "op" and self.current.text in "+-":
            operator = self.advance().text
            right = self.term()
            if value is not None:
                value = value + right if operator == "+" else value - right
        return value

    def term(self) -> Decimal | None:
        value = self.unary()
        while self.current.kind == "op" and self.current.text in "*/":
            operator_token = self.advance()
            right = self.unary()
            if value is None:
                continue
            if operator_token.text == "*":
                value = value * right
            elif not right:
                raise FormulaError(f"Pembagian dengan nol (posisi {operator_token.position}).")
            else:
                value = _divide(value, right)
        return value

    def unary(self) -> Decimal | None:
        if not (self.current.kind == "op" and self.current.text in "+-"):
            return self.primary()
        operator = self.advance().text
        self.enter()
        try:
            value = self.unary()
        finally:
            self.depth -= 1
        return -value if operator == "-" and value is not None else value

    def primary(self) -> Decimal | None:
        token = self.advance()
        if token.kind == "number":
            return Decimal(token.text) if self.params is not None else None
        if token.kind == "name":
            self.names.add(token.text)
            if self.params is None:
                return None
            if token.text not in self.params:
                raise FormulaError(f"Parameter '{token.text}' tidak dikenal (posisi {token.position}).")
            return self.params[token.text]
        if token.kind == "(":
            self.enter()
            try:
                value = self.expr()
            finally:
                self.depth -= 1
            if self.current.kind != ")":
                raise _syntax(
                    self.current.position,
                    f"diharapkan “)” untuk menutup “(” di posisi {token.position}, bukan {_describe(self.current)}",
                )
            self.advance()
            return value
        raise _syntax(token.position, f"diharapkan angka, nama parameter, atau “(”, bukan {_describe(token)}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"Rumus terlalu bertingkat (paling banyak {MAX_DEPTH} tingkat kurung/tanda).")


def _divide(left: Decimal, right: Decimal) -> Decimal:
    """Exact quotient when it terminates within the exact precision, else rounded to DIVISION_PRECISION."""
    try:
        with exact_context():
            return left / right
    except Inexact:
        with localcontext(_DIVISION):
            return left / right


def _normalise_params(params: Mapping[str, Decimal]) -> dict[str, Decimal]:
    normalised: dict[str, Decimal] = {}
    for name, value in params.items():
        key = name.lower()
        if key in normalised and normalised[key] != value:
            raise FormulaError(f"Parameter '{key}' didefinisikan dua kali dengan nilai berbeda.")
        normalised[key] = to_decimal(value, name=f"parameter {name!r}")
    return normalised


def evaluate(formula: str, params: Mapping[str, Decimal]) -> Decimal:
    """The exact value of ``formula`` with ``params`` (names case-insensitive):
    ``evaluate("panjang * lebar * 0.15", {"panjang": Decimal(12), "lebar": Decimal(8)}) == Decimal("14.40")``.
    """
    if not isinstance(formula, str):
        raise TypeError(f"formula must be str, not {type(formula).__name__}")
    parser = _Parser(formula, _normalise_params(params))
    try:
        with exact_context():
            value = parser.parse()
    except FormulaError:
        raise
    except DecimalException as error:  # Inexact (beyond EXACT_PRECISION digits), Overflow, ...
        raise FormulaError(
            f"Hasil rumus terlalu besar atau terlalu panjang untuk dihitung tepat ({EXACT_PRECISION} digit)."
        ) from error
    if value is None:  # pragma: no cover - params were given, so every node has a value
        raise FormulaError("Rumus kosong.")
    return value if value else abs(value)  # never "-0"


def names_in(formula: str) -> set[str]:
    """The parameter names used in ``formula``, lower-cased; ``FormulaError`` if it is not valid syntax."""
    if not isinstance(formula, str):
        raise TypeError(f"formula must be str, not {type(formula).__name__}")
    parser = _Parser(formula, None)
    parser.parse()
    return parser.names
