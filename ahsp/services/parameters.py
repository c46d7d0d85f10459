"""Project parameters for volume formulas. Changing one recomputes every volume whose formula uses it."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext

from ahsp.calculations.formula import FormulaError, names_in
from ahsp.calculations.totals import line_amount
from ahsp.calculations.volume import volume_from_formula
from ahsp.models import AuditEvent, Project, ProjectParameter, WorkItem
from ahsp.models.estimate import MAX_VOLUME, MONEY, fits
from ahsp.services import audit


def _recompute_volumes(project: Project, name: str) -> int:
    """Re-evaluate the formulas that mention `name`; a formula that fails keeps its last volume and
    shows its error on the row. Returns the number of rows written."""
    params = dict(project.parameters.values_list("name", "value"))
    changed = []
    rows = (
        WorkItem.objects.filter(project=project)
        .exclude(volume_formula="")
        .only("id", "volume", "volume_formula", "volume_error", "unit_rate", "amount")
    )
    for item in rows:
        try:
            if name not in names_in(item.volume_formula):
                continue
        except FormulaError:
            continue
        try:
            volume = volume_from_formula(item.volume_formula, params)
            error = _volume_error(volume, item.unit_rate)
        except FormulaError as exc:
            volume, error = item.volume, str(exc)[:255]
        if error:
            volume = item.volume
        item.volume, item.volume_error = volume, error
        item.amount = line_amount(item.volume, item.unit_rate)
        changed.append(item)
    WorkItem.objects.bulk_update(changed, ["volume", "volume_error", "amount"], batch_size=500)
    return len(changed)


def _volume_error(volume: Decimal, unit_rate: Decimal) -> str:
    """Why a formula result cannot be the row's volume ("" when it can): negative, larger than a volume
    may be, or a Jumlah harga (volume x HSP) that does not fit."""
    if volume < 0:
        return gettext("Hasil rumus volume tidak boleh negatif.")
    if volume > MAX_VOLUME:
        return gettext("Hasil rumus volume terlalu besar (paling besar 999.999.999,9999).")
    if not fits(line_amount(volume, unit_rate), MONEY):
        return gettext("Jumlah harga terlalu besar: hasil rumus volume x harga satuan melebihi batas.")
    return ""


@transaction.atomic
def set_value(*, project: Project, name: str, value: Decimal, description: str = "", by) -> ProjectParameter:
    name = name.strip().lower()
    parameter = ProjectParameter.objects.select_for_update().filter(project=project, name=name).first()
    before = None if parameter is None else {"name": name, "value": str(parameter.value)}
    if parameter is None:
        parameter = ProjectParameter(project=project, name=name)
    parameter.value = value
    parameter.description = description.strip()
    parameter.full_clean()
    parameter.save()
    count = _recompute_volumes(project, name)
    audit.record(
        by=by,
        action=AuditEvent.Action.CREATE if before is None else AuditEvent.Action.UPDATE,
        target=parameter,
        project_id=project.pk,
        summary=f"Parameter {name} = {value} ({count} volume dihitung ulang)",
        before=before,
        after={"name": name, "value": str(parameter.value)},
    )
    return parameter


@transaction.atomic
def delete(*, parameter: ProjectParameter, by) -> int:
    project, name = parameter.project, parameter.name
    before = {"name": name, "value": str(parameter.value)}
    pk = parameter.pk
    parameter.delete()
    count = _recompute_volumes(project, name)
    parameter.pk = pk  # the event names the deleted row
    audit.record(
        by=by,
        action=AuditEvent.Action.DELETE,
        target=parameter,
        project_id=project.pk,
        summary=f"Parameter {name} dihapus ({count} rumus volume kini bermasalah)",
        before=before,
    )
    return count
