"""Moving a row up or down among its siblings (sections, work items)."""

from django.db.models import Model, QuerySet


def swap_with_neighbour(siblings: QuerySet, obj: Model, direction: str) -> bool:
    """Swap `obj` with the previous ("up") or next ("down") sibling and renumber positions 0..n-1.

    `siblings` is locked (select_for_update) by the caller's transaction. Returns False at an end.
    """
    rows = list(siblings.select_for_update().order_by("position", "id"))
    index = next(i for i, row in enumerate(rows) if row.pk == obj.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        row.position = position
    type(obj).objects.bulk_update(rows, ["position"])
    obj.position = other
    return True
