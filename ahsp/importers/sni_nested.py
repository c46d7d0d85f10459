"""Resolve references to other work by name (nested analyses): pure, no ORM.

In the SNI workbook a few analyses list other work instead of resources ("Galian tanah biasa", m3),
with neither item code nor category. A reference resolves to:
1. "exact": the one analysis whose normalised name is the same (and whose unit agrees);
2. "similar" / "ambiguous": otherwise the analyses with the same unit whose names contain every word
   of the reference (Indonesian affixes allowed: "galian" in "penggalian"); the first in code order
   is used and the choice is flagged, with the candidates listed;
3. "placeholder": otherwise a new analysis `<parent>.R<n>` without components (one per distinct
   name and unit), flagged, so the line and its coefficient survive until someone completes it.
A reference never creates a cycle (an analysis that, through its nested analyses, uses the parent
is not a candidate).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ahsp.calculations.graph import closure
from ahsp.importers.sni_values import CODE_MAX_LENGTH, match_key, match_tokens, token_matches

EXACT, SIMILAR, AMBIGUOUS, PLACEHOLDER = "exact", "similar", "ambiguous", "placeholder"


def code_order(code: str) -> tuple:
    """Natural order of codes: 1.2 before 1.10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split("."))


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    unit: str
    has_components: bool


@dataclass(frozen=True)
class Reference:
    row: int
    parent: str
    name: str
    unit: str


@dataclass(frozen=True)
class Placeholder:
    code: str
    name: str
    unit: str
    parent: str
    first_row: int


@dataclass(frozen=True)
class Resolution:
    target: str
    kind: str
    candidates: tuple[str, ...] = ()


class NestedResolver:
    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.candidates = {c.code: c for c in candidates}
        self.keys = {code: match_key(c.name) for code, c in self.candidates.items()}
        self.tokens = {code: match_tokens(c.name) for code, c in self.candidates.items()}
        self.edges: dict[str, set[str]] = defaultdict(set)
        self.placeholders: dict[tuple[str, str], Placeholder] = {}
        self._numbers: Counter[str] = Counter()

    def _reaches(self, start: str, goal: str) -> bool:
        return goal in closure(self.edges, [start])

    def _usable(self, reference: Reference, code: str) -> bool:
        candidate = self.candidates[code]
        return (
            code != reference.parent
            and candidate.has_components
            and (candidate.unit == reference.unit or not candidate.unit)
            and not self._reaches(code, reference.parent)
        )

    def resolve(self, reference: Reference) -> Resolution:
        key = match_key(reference.name)
        exact = sorted(
            (code for code, k in self.keys.items() if k == key and self._usable(reference, code)),
            key=code_order,
        )
        if len(exact) == 1:
            resolution = Resolution(exact[0], EXACT, tuple(exact))
        elif exact:
            resolution = Resolution(exact[0], AMBIGUOUS, tuple(exact))
        else:
            wanted = match_tokens(reference.name)
            similar = sorted(
                (
                    code
                    for code, available in self.tokens.items()
                    if wanted
                    and self.candidates[code].unit == reference.unit
                    and all(token_matches(token, available) for token in wanted)
                    and self._usable(reference, code)
                ),
                key=code_order,
            )
            if similar:
                resolution = Resolution(
                    similar[0], SIMILAR if len(similar) == 1 else AMBIGUOUS, tuple(similar)
                )
            else:
                resolution = Resolution(self._placeholder(reference, key).code, PLACEHOLDER)
        self.edges[reference.parent].add(resolution.target)
        return resolution

    def _placeholder(self, reference: Reference, key: str) -> Placeholder:
        if existing := self.placeholders.get((key, reference.unit)):
            return existing
        taken = set(self.candidates) | {p.code for p in self.placeholders.values()}
        code = ""
        while not code or code in taken:
            self._numbers[reference.parent] += 1
            code = f"{reference.parent}.R{self._numbers[reference.parent]}"
            if len(code) > CODE_MAX_LENGTH:
                code = f"R.{len(taken)}.{self._numbers[reference.parent]}"
        placeholder = Placeholder(code, reference.name, reference.unit, reference.parent, reference.row)
        self.placeholders[(key, reference.unit)] = placeholder
        return placeholder
