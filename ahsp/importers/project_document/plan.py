"""The project document checked and turned into a plan (pure: no database): what the restore writes.

Every value is checked against what the database columns and the app's own services accept, and every
reference against what the document defines (an item's analysis code, a component's resource or nested
analysis, an item's stage key); nested analyses must not form a cycle; plans sum to 100 %, progress at most
to 100 %. All problems are collected (up to ``MAX_PROBLEMS``) with their JSON path, so one report lists
them; ``DocumentInvalid`` is raised and nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _

from ahsp.calculations.graph import AnalysisCycleError, fold
from ahsp.loaders.project_document import FORMAT, HEADER_FIELDS, PARTS, VERSION, includes
from ahsp.models import Project, ResourceCategory
from ahsp.models.estimate import MAX_COEFFICIENT, MAX_PARAMETER, MAX_PRICE, MAX_VOLUME
from ahsp.models.project import EARLIEST_DATE, LATEST_DATE

from .reader import Checker, DocumentInvalid, Problem, TooManyProblems, parse_json

HUNDRED = Decimal(100)
#: The deepest work breakdown a document may hold (the app's own projects rarely pass 5 levels).
MAX_SECTION_DEPTH = 30
#: The last week a plan or a report may name (the longest project: 520 weeks).
MAX_WEEK = 520
MAX_NAME = 2000  # item and analysis descriptions (text columns)
_PARAMETER_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class ResourcePlan:
    code: str
    name: str
    unit: str
    category: str
    unit_price: Decimal | None
    purchase_unit: str
    purchase_factor: Decimal | None
    reference: str


@dataclass(frozen=True)
class AnalysisPlan:
    code: str
    name: str
    unit: str
    reference_code: str
    linked_to_reference: bool
    is_modified: bool
    components: tuple[tuple[str | None, str | None, Decimal], ...]  # (resource code, nested code, k)


@dataclass(frozen=True)
class ItemPlan:
    name: str
    unit: str
    analysis: str
    volume: Decimal
    volume_formula: str
    volume_error: str
    overhead_pct_override: Decimal | None
    stage: str | None
    plan: dict[int, Decimal]
    progress: dict[int, Decimal]


@dataclass(frozen=True)
class SectionPlan:
    name: str
    items: tuple[ItemPlan, ...]
    sections: tuple[SectionPlan, ...]


@dataclass(frozen=True)
class StagePlan:
    key: str
    name: str
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True)
class DocumentPlan:
    parts: str
    header: dict
    parameters: tuple[tuple[str, Decimal, str], ...] = ()
    resources: tuple[ResourcePlan, ...] = ()
    analyses: tuple[AnalysisPlan, ...] = ()
    stages: tuple[StagePlan, ...] = ()
    sections: tuple[SectionPlan, ...] = ()
    week_reports: tuple[tuple[int, date | None, Decimal | None], ...] = ()

    @property
    def item_count(self) -> int:
        count, stack = 0, list(self.sections)
        while stack:
            section = stack.pop()
            count += len(section.items)
            stack.extend(section.sections)
        return count


def read_document(raw: bytes) -> DocumentPlan:
    """``raw`` (the uploaded bytes) checked into a plan, or ``DocumentInvalid``."""
    return plan_document(parse_json(raw))


def plan_document(document: object) -> DocumentPlan:
    check = Checker()
    try:
        plan = _Planner(check).document(document)
    except TooManyProblems:
        plan = None
    if check.problems or plan is None:
        raise DocumentInvalid(check.problems)
    return plan


class _Planner:
    def __init__(self, check: Checker):
        self.check = check

    # --- the envelope and the header --------------------------------------------------------------------

    def document(self, value) -> DocumentPlan | None:
        check = self.check
        root = check.mapping(value, "$")
        if root is None:
            return None
        if root.get("format") != FORMAT:
            check.fail(
                "$.format", _('bukan dokumen proyek AHSP (format harus "%(format)s").') % {"format": FORMAT}
            )
            return None
        version = root.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            check.fail(
                "$.version",
                _(
                    "dokumen dibuat oleh versi aplikasi yang lebih baru (versi %(found)s); aplikasi ini membaca versi %(known)s."
                )
                % {"found": version, "known": VERSION},
            )
            return None
        if version != VERSION:
            check.fail("$.version", _("versi dokumen tidak dikenal; harus %(known)s.") % {"known": VERSION})
            return None
        parts = check.choice(root.get("parts"), "$.parts", [(part, part) for part in PARTS])
        header = self.header(check.key(root, "project", "$"))
        if parts is None or header is None:
            return None
        fields: dict = {"parts": parts, "header": header}
        if includes(parts, "estimate"):
            fields["parameters"] = self.parameters(check.key(root, "parameters", "$"))
            fields["resources"] = self.resources(check.key(root, "resources", "$"))
            codes = {resource.code for resource in fields["resources"]}
            fields["analyses"] = self.analyses(check.key(root, "analyses", "$"), codes)
        if includes(parts, "schedule"):
            fields["stages"] = self.stages(check.key(root, "stages", "$"))
        if includes(parts, "progress"):
            fields["week_reports"] = self.week_reports(check.key(root, "week_reports", "$"))
        if includes(parts, "estimate"):
            analysis_codes = {analysis.code for analysis in fields["analyses"]}
            stage_keys = {stage.key for stage in fields.get("stages", ())}
            fields["sections"] = _Breakdown(check, parts, analysis_codes, stage_keys).sections(
                check.key(root, "sections", "$")
            )
        return DocumentPlan(**fields)

    def header(self, value) -> dict | None:
        check = self.check
        obj = check.mapping(value, "$.project")
        if obj is None:
            return None
        header = {}
        for name in HEADER_FIELDS:
            path = f"$.project.{name}"
            if name not in obj:  # an older document without a newer field: the model's default
                if name == "name":
                    check.fail(path, _("kunci wajib tidak ada."))
                continue
            raw = obj[name]
            field = Project._meta.get_field(name)
            if raw is None and field.null:
                header[name] = None
                continue
            header[name] = self._field(field, raw, path)
        return header

    def _field(self, field: models.Field, raw, path: str):
        check = self.check
        if field.choices:
            return check.choice(raw, path, field.choices)
        if isinstance(field, models.DecimalField):
            limit = Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(1).scaleb(
                -field.decimal_places
            )
            return check.decimal(raw, path, places=field.decimal_places, minimum=Decimal(0), maximum=limit)
        if isinstance(field, models.DateField):
            return check.day(raw, path, earliest=EARLIEST_DATE, latest=LATEST_DATE)
        if isinstance(field, models.IntegerField):
            return check.integer(raw, path, minimum=0, maximum=32767)  # the model's validators follow
        return check.text(raw, path, max_length=field.max_length or 20000, required=not field.blank)

    # --- the estimate ---------------------------------------------------------------------------------

    def parameters(self, value) -> tuple:
        check, rows, seen = self.check, [], set()
        for index, obj in enumerate(check.sequence(value, "$.parameters") or []):
            path = f"$.parameters[{index}]"
            obj = check.mapping(obj, path)
            if obj is None:
                continue
            name = check.text(check.key(obj, "name", path), f"{path}.name", max_length=40, required=True)
            if name is not None and not _PARAMETER_NAME.fullmatch(name):
                check.fail(
                    f"{path}.name", _("diawali huruf kecil, hanya huruf kecil, angka dan garis bawah.")
                )
                name = None
            elif name in seen:
                check.fail(f"{path}.name", _('nama parameter "%(name)s" sudah dipakai.') % {"name": name})
                name = None
            number = check.decimal(
                check.key(obj, "value", path),
                f"{path}.value",
                places=6,
                minimum=-MAX_PARAMETER,
                maximum=MAX_PARAMETER,
            )
            description = check.text(obj.get("description", ""), f"{path}.description", max_length=200)
            if name is not None and number is not None and description is not None:
                seen.add(name)
                rows.append((name, number, description))
        return tuple(rows)

    def resources(self, value) -> tuple[ResourcePlan, ...]:
        check, rows, seen = self.check, [], set()
        for index, obj in enumerate(check.sequence(value, "$.resources") or []):
            path = f"$.resources[{index}]"
            obj = check.mapping(obj, path)
            if obj is None:
                continue
            code = self._code(obj, path, seen, _('kode sumber daya "%(code)s" sudah dipakai.'))
            price, factor = obj.get("unit_price"), obj.get("purchase_factor")
            row = dict(
                code=code,
                name=check.text(check.key(obj, "name", path), f"{path}.name", max_length=255, required=True),
                unit=check.text(check.key(obj, "unit", path), f"{path}.unit", max_length=60),
                category=check.choice(
                    check.key(obj, "category", path), f"{path}.category", ResourceCategory.choices
                ),
                unit_price=None
                if price is None
                else check.decimal(
                    price, f"{path}.unit_price", places=2, minimum=Decimal(0), maximum=MAX_PRICE
                ),
                purchase_unit=check.text(
                    obj.get("purchase_unit", ""), f"{path}.purchase_unit", max_length=60
                ),
                purchase_factor=None
                if factor is None
                else check.decimal(
                    factor,
                    f"{path}.purchase_factor",
                    places=6,
                    minimum=Decimal("0.000001"),
                    maximum=MAX_COEFFICIENT,
                ),
                reference=check.text(obj.get("reference", ""), f"{path}.reference", max_length=40),
            )
            nullable = {"unit_price": price is None, "purchase_factor": factor is None}
            if all(v is not None or nullable.get(k, False) for k, v in row.items()):
                rows.append(ResourcePlan(**row))
        return tuple(rows)

    def _code(self, obj: dict, path: str, seen: set, duplicate: str) -> str | None:
        code = self.check.text(
            self.check.key(obj, "code", path), f"{path}.code", max_length=40, required=True
        )
        if code is not None and code in seen:
            self.check.fail(f"{path}.code", duplicate % {"code": code})
            return None
        if code is not None:
            seen.add(code)
        return code

    def analyses(self, value, resource_codes: set[str]) -> tuple[AnalysisPlan, ...]:
        check, seen = self.check, set()
        listed = check.sequence(value, "$.analyses") or []
        all_codes = {obj.get("code") for obj in listed if isinstance(obj, dict)}
        rows: list[AnalysisPlan] = []
        paths: dict[str, str] = {}
        for index, obj in enumerate(listed):
            path = f"$.analyses[{index}]"
            obj = check.mapping(obj, path)
            if obj is None:
                continue
            code = self._code(obj, path, seen, _('kode analisa "%(code)s" sudah dipakai.'))
            row = dict(
                code=code,
                name=check.text(
                    check.key(obj, "name", path), f"{path}.name", max_length=MAX_NAME, required=True
                ),
                unit=check.text(check.key(obj, "unit", path), f"{path}.unit", max_length=60),
                reference_code=check.text(
                    obj.get("reference_code", ""), f"{path}.reference_code", max_length=40
                ),
                linked_to_reference=check.boolean(
                    obj.get("linked_to_reference", False), f"{path}.linked_to_reference"
                ),
                is_modified=check.boolean(obj.get("is_modified", False), f"{path}.is_modified"),
                components=self.components(
                    check.key(obj, "components", path), f"{path}.components", resource_codes, all_codes
                ),
            )
            if all(v is not None for v in row.values()):
                rows.append(AnalysisPlan(**row))
                paths[code] = path
        self._no_cycles(rows, paths)
        return tuple(rows)

    def components(self, value, path: str, resource_codes: set[str], analysis_codes: set) -> tuple | None:
        check, lines = self.check, []
        listed = check.sequence(value, path)
        if listed is None:
            return None
        for index, obj in enumerate(listed):
            line_path = f"{path}[{index}]"
            obj = check.mapping(obj, line_path)
            if obj is None:
                continue
            resource, nested = obj.get("resource"), obj.get("analysis")
            k = check.decimal(
                check.key(obj, "coefficient", line_path), f"{line_path}.coefficient",
                places=6, minimum=Decimal(0), maximum=MAX_COEFFICIENT,
            )  # fmt: skip
            if (resource is None) == (nested is None):
                check.fail(line_path, _('harus menyebut tepat satu dari "resource" atau "analysis".'))
            elif resource is not None and resource not in resource_codes:
                check.fail(
                    f"{line_path}.resource",
                    _('sumber daya "%(code)s" tidak ada di dokumen.') % {"code": resource},
                )
            elif nested is not None and nested not in analysis_codes:
                check.fail(
                    f"{line_path}.analysis", _('analisa "%(code)s" tidak ada di dokumen.') % {"code": nested}
                )
            elif k is not None:
                lines.append((resource, nested, k))
        return tuple(lines)

    def _no_cycles(self, rows: list[AnalysisPlan], paths: dict[str, str]) -> None:
        edges = {row.code: [nested for _r, nested, _k in row.components if nested] for row in rows}
        try:
            fold(set(edges), lambda code: edges.get(code, ()), lambda code, done: None)
        except AnalysisCycleError as error:
            path = " → ".join(map(str, error.cycle))
            self.check.fail(
                f"{paths.get(error.cycle[0], '$.analyses')}.components",
                _("analisa bersarang membentuk lingkaran: %(path)s.") % {"path": path},
            )
        except ValueError:  # an unknown nested code: already reported on its component
            pass

    # --- the schedule -----------------------------------------------------------------------------------

    def stages(self, value) -> tuple[StagePlan, ...]:
        check, rows, seen = self.check, [], set()
        for index, obj in enumerate(check.sequence(value, "$.stages") or []):
            path = f"$.stages[{index}]"
            obj = check.mapping(obj, path)
            if obj is None:
                continue
            key = check.text(check.key(obj, "key", path), f"{path}.key", max_length=40, required=True)
            if key in seen:
                check.fail(f"{path}.key", _('kunci tahapan "%(key)s" sudah dipakai.') % {"key": key})
                key = None
            name = check.text(check.key(obj, "name", path), f"{path}.name", max_length=200, required=True)
            start, end = (
                self._optional_day(obj.get(name), f"{path}.{name}") for name in ("start_date", "end_date")
            )
            if start and end and end < start:
                check.fail(
                    f"{path}.end_date", _("tanggal selesai tahapan tidak boleh sebelum tanggal mulai.")
                )
            elif key is not None and name is not None:
                seen.add(key)
                rows.append(StagePlan(key, name, start, end))
        return tuple(rows)

    def _optional_day(self, value, path: str) -> date | None:
        return (
            None if value is None else self.check.day(value, path, earliest=EARLIEST_DATE, latest=LATEST_DATE)
        )

    def week_reports(self, value) -> tuple:
        check, rows, seen = self.check, [], set()
        for index, obj in enumerate(check.sequence(value, "$.week_reports") or []):
            path = f"$.week_reports[{index}]"
            obj = check.mapping(obj, path)
            if obj is None:
                continue
            week = check.integer(check.key(obj, "week", path), f"{path}.week", minimum=1, maximum=MAX_WEEK)
            if week in seen:
                check.fail(f"{path}.week", _("minggu ke-%(week)s sudah ada.") % {"week": week})
                continue
            cost = obj.get("actual_cost")
            cost = None if cost is None else check.decimal(
                cost, f"{path}.actual_cost", places=2, minimum=Decimal(0), maximum=Decimal("9999999999999999.99")
            )  # fmt: skip
            if week is not None:
                seen.add(week)
                rows.append((week, self._optional_day(obj.get("report_date"), f"{path}.report_date"), cost))
        return tuple(rows)


class _Breakdown:
    """The section tree, walked without recursion (its depth is checked, not trusted)."""

    def __init__(self, check: Checker, parts: str, analysis_codes: set[str], stage_keys: set[str]):
        self.check, self.parts = check, parts
        self.analysis_codes, self.stage_keys = analysis_codes, stage_keys

    def sections(self, value) -> tuple[SectionPlan, ...]:
        top = self.check.sequence(value, "$.sections")
        if top is None:
            return ()
        # Post-order on an explicit stack: a section's plan is built once its children's are.
        built: dict[int, SectionPlan] = {}
        stack: list[tuple[object, str, int, bool]] = [
            (obj, f"$.sections[{i}]", 1, False) for i, obj in reversed(list(enumerate(top)))
        ]
        while stack:
            obj, path, depth, expanded = stack.pop()
            section = self.check.mapping(obj, path)
            if section is None:
                continue
            children = section.get("sections", [])
            if not expanded:
                if depth > MAX_SECTION_DEPTH:
                    self.check.fail(
                        path,
                        _("klasifikasi bersarang lebih dari %(max)s tingkat.") % {"max": MAX_SECTION_DEPTH},
                    )
                    continue
                stack.append((obj, path, depth, True))
                for index, child in reversed(
                    list(enumerate(self.check.sequence(children, f"{path}.sections") or []))
                ):
                    stack.append((child, f"{path}.sections[{index}]", depth + 1, False))
                continue
            name = self.check.text(
                self.check.key(section, "name", path), f"{path}.name", max_length=255, required=True
            )
            items = tuple(
                item
                for index, obj_item in enumerate(
                    self.check.sequence(self.check.key(section, "items", path), f"{path}.items") or []
                )
                if (item := self.item(obj_item, f"{path}.items[{index}]")) is not None
            )
            kids = tuple(
                built.pop(id(child))
                for child in children
                if isinstance(children, list) and id(child) in built
            )
            if name is not None:
                built[id(obj)] = SectionPlan(name, items, kids)
        return tuple(built[id(obj)] for obj in top if id(obj) in built)

    def item(self, value, path: str) -> ItemPlan | None:
        check = self.check
        obj = check.mapping(value, path)
        if obj is None:
            return None
        analysis = check.text(
            check.key(obj, "analysis", path), f"{path}.analysis", max_length=40, required=True
        )
        if analysis is not None and analysis not in self.analysis_codes:
            check.fail(f"{path}.analysis", _('analisa "%(code)s" tidak ada di dokumen.') % {"code": analysis})
            analysis = None
        overhead = obj.get("overhead_pct_override")
        row = dict(
            name=check.text(check.key(obj, "name", path), f"{path}.name", max_length=MAX_NAME, required=True),
            unit=check.text(check.key(obj, "unit", path), f"{path}.unit", max_length=60),
            analysis=analysis,
            volume=check.decimal(
                check.key(obj, "volume", path),
                f"{path}.volume",
                places=4,
                minimum=Decimal(0),
                maximum=MAX_VOLUME,
            ),
            volume_formula=check.text(
                obj.get("volume_formula", ""), f"{path}.volume_formula", max_length=500
            ),
            volume_error=check.text(obj.get("volume_error", ""), f"{path}.volume_error", max_length=255),
            overhead_pct_override=None
            if overhead is None
            else check.decimal(
                overhead, f"{path}.overhead_pct_override", places=2, minimum=Decimal(0), maximum=HUNDRED
            ),
            stage=self.stage(obj.get("stage"), f"{path}.stage"),
            plan=self.weeks(obj.get("plan", {}), f"{path}.plan", total_exactly=True)
            if includes(self.parts, "schedule")
            else {},
            progress=self.weeks(obj.get("progress", {}), f"{path}.progress", total_exactly=False)
            if includes(self.parts, "progress")
            else {},
        )
        optional = {"overhead_pct_override": overhead is None, "stage": obj.get("stage") is None}
        if all(v is not None or optional.get(k, False) for k, v in row.items()):
            return ItemPlan(**row)
        return None

    def stage(self, value, path: str) -> str | None:
        if value is None or not includes(self.parts, "schedule"):
            return None
        if value not in self.stage_keys:
            self.check.fail(path, _('tahapan "%(key)s" tidak ada di dokumen.') % {"key": value})
            return None
        return value

    def weeks(self, value, path: str, *, total_exactly: bool) -> dict[int, Decimal] | None:
        """``{"week": "share"}``: weeks 1..520, shares 0..100 with 4 places; a plan sums to exactly 100 %
        (or is empty), progress to at most 100 %."""
        check = self.check
        obj = check.mapping(value, path)
        if obj is None:
            return None
        shares: dict[int, Decimal] = {}
        for week_text, raw in obj.items():
            week = int(week_text) if week_text.isdigit() and len(week_text) <= 3 else 0
            if not 1 <= week <= MAX_WEEK:
                check.fail(
                    f"{path}.{week_text}"[:200], _("minggu harus 1 sampai %(max)s.") % {"max": MAX_WEEK}
                )
                return None
            share = check.decimal(raw, f"{path}.{week}", places=4, minimum=Decimal(0), maximum=HUNDRED)
            if share is None:
                return None
            if share:
                shares[week] = share
        total = sum(shares.values(), Decimal(0))
        if total_exactly and shares and total != HUNDRED:
            check.fail(path, _("jumlah rencana harus 100 %%, sekarang %(total)s %%.") % {"total": total})
            return None
        if total > HUNDRED:
            check.fail(path, _("progres kumulatif lebih dari 100 %% (%(total)s %%).") % {"total": total})
            return None
        return dict(sorted(shares.items()))


TEMPLATE_FORMAT = "ahsp-template"


def plan_template(document: object) -> DocumentPlan:
    """A template document (``ahsp.loaders.work_template``) checked like the estimate part of a project
    document, with the same JSON paths; its name becomes the plan's project name."""
    check = Checker()
    if not isinstance(document, dict) or document.get("format") != TEMPLATE_FORMAT:
        raise DocumentInvalid(
            [
                Problem(
                    "$.format",
                    _('bukan templat pekerjaan AHSP (format harus "%(f)s").') % {"f": TEMPLATE_FORMAT},
                )
            ]
        )
    if document.get("version") != VERSION:
        raise DocumentInvalid(
            [Problem("$.version", _("versi templat tidak dikenal; harus %(v)s.") % {"v": VERSION})]
        )
    name = check.text(document.get("name", ""), "$.name", max_length=120, required=True)
    if check.problems:
        raise DocumentInvalid(check.problems)
    wrapped = {
        "format": FORMAT,
        "version": VERSION,
        "parts": "estimate",
        "project": {"name": name},
        **{key: document.get(key, []) for key in ("parameters", "resources", "analyses", "sections")},
    }
    return plan_document(wrapped)
