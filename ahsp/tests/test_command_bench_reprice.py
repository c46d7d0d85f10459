import pytest
from django.core.management import CommandError, call_command

from ahsp.models import AuditEvent, Project, WorkItem

pytestmark = pytest.mark.django_db


def test_bench_reprice_saves_alternating_settings_and_prints_the_figures(user, capsys):
    call_command("bench_reprice", "--email", user.email, "--runs", "3", "--items", "12", "--components", "3")
    out = capsys.readouterr().out

    project = Project.objects.get(owner=user)
    assert "3 saves, each repricing 12 work items: P50" in out
    # Three saves end on the first setting: BUK 12,5 %, every item repriced, one audit event each.
    assert (project.overhead_profit_pct, project.hsp_rounding_step) == (12.5, 0)
    assert WorkItem.objects.filter(project=project, unit_rate__gt=0).count() == 12
    assert AuditEvent.objects.filter(project_id=project.pk, summary__contains="dihitung ulang").count() == 3


def test_bench_reprice_needs_a_user():
    with pytest.raises(CommandError, match="Pengguna"):
        call_command("bench_reprice", "--email", "nobody@example.com", "--runs", "1")
