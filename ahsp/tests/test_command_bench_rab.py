import pytest
from django.core.management import CommandError, call_command

from ahsp.models import Project, WorkItem

pytestmark = pytest.mark.django_db

ARGS = ["--runs", "2", "--items", "12", "--top", "2", "--sub", "2", "--components", "3"]


def test_bench_rab_builds_then_reuses_the_project_and_prints_every_figure(user, capsys):
    call_command("bench_rab", "--email", user.email, *ARGS)
    first = capsys.readouterr().out

    project = Project.objects.get(owner=user)
    assert WorkItem.objects.filter(project=project).count() == 12
    assert WorkItem.objects.filter(project=project, unit_rate__gt=0).count() == 12  # recalculated
    assert "built project" in first
    rows = {line[:26].strip(): line[26:].split() for line in first.splitlines()}
    for label in ("page (collapsed)", "fragment (leaf section)", "print view", "CSV first byte"):
        assert len(rows[label]) == 4, label  # P50, P95, queries, KiB
    assert int(rows["page (collapsed)"][2]) in (6, 7)  # 7 when the cached session had to be read again
    assert "peak Python memory, CSV" in first

    call_command("bench_rab", "--email", user.email, *ARGS)
    assert f"reusing project {project.pk}" in capsys.readouterr().out
    assert Project.objects.filter(owner=user).count() == 1


def test_bench_rab_needs_a_user():
    with pytest.raises(CommandError, match="Pengguna"):
        call_command("bench_rab", "--email", "nobody@example.com", "--runs", "1")
