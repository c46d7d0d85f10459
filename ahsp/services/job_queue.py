"""Putting background jobs (export jobs, reference imports) on the task queue without losing them.

A job row is written first, with status ``queued``; the task is enqueued after the commit. If the
queue (Redis) is unreachable then, ``enqueue`` logs and leaves the row queued, and the periodic sweep
(``ahsp.tasks``) finds it with ``lost_queued_ids`` once the queue is back and enqueues it again. A job
enqueued twice by a race still runs once: its ``run`` claims it with a conditional UPDATE.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db.models import Model
from django.utils import timezone

logger = logging.getLogger(__name__)


def enqueue(task: Callable[[int], object], job_id: int, label: str) -> bool:
    """Call the huey ``task`` for ``job_id``; False (logged, nothing raised) when the queue is down."""
    try:
        task(job_id)
    except Exception:
        logger.warning(
            "%s job %s could not be enqueued; the sweep will enqueue it.", label, job_id, exc_info=True
        )
        return False
    return True


def lost_queued_ids(model: type[Model], *, older_than_seconds: int, pending: set[int]) -> list[int]:
    """Jobs of ``model`` queued more than ``older_than_seconds`` ago that are not on the task queue
    (``pending``: the job ids of its queued tasks): their enqueue failed."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    queued = model.objects.filter(status="queued", created_at__lt=cutoff)
    return [pk for pk in queued.order_by("pk").values_list("pk", flat=True) if pk not in pending]
