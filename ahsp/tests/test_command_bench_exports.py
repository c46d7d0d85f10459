"""bench_exports at tiny sizes: every row printed, projects reused, the bench's jobs cleaned up, the
huey queue left as it was, and the ``--one`` worker entry point."""

import json

import pytest
from django.core.management import CommandError, call_command

from ahsp.models import ExportJob, Project, WorkItem
from ahsp.services import exports
from ahsp.tests.factories import ProjectFactory
from tools.bench.management.commands.bench_exports import BUILD_LABEL, SERVER_LABEL

pytestmark = pytest.mark.django_db

ARGS = [
    "--runs",
    "2",
    "--items-small",
    "20",
    "--items-large",
    "40",
    "--top",
    "2",
    "--sub",
    "2",
    "--components",
    "3",
    "--in-process",
]
SERVER_ROWS = (
    "start export (POST, htmx)",
    "progress partial (running, htmx)",
    "progress partial (done, 286)",
)
BUILD_ROWS = ("RAB PDF", "RAB XLSX", "RAB CSV", "Proyek XLSX (workbook)", "AHSP PDF", "AHSP XLSX")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def table(output: str, width: int) -> dict[str, list[str]]:
    return {line[:width].strip(): line[width:].split() for line in output.splitlines() if line.strip()}


def test_bench_exports_prints_every_row_and_cleans_up(user, capsys):
    from huey.contrib.djhuey import HUEY

    before = (HUEY.immediate, HUEY.storage)

    call_command("bench_exports", "--email", user.email, *ARGS, "--no-trace")  # tracemalloc: slow PDFs
    out = capsys.readouterr().out

    assert (HUEY.immediate, HUEY.storage) == before
    assert out.count("built project") == 2
    small = Project.objects.get(owner=user, name__startswith="Bench ekspor 20 ")
    large = Project.objects.get(owner=user, name__startswith="Bench ekspor 40 ")
    assert WorkItem.objects.filter(project=small).count() == 20
    assert WorkItem.objects.filter(project=large).count() == 40

    server = table(out, SERVER_LABEL)
    for label in SERVER_ROWS:
        p50, p95, queries, *target = server[label]
        assert float(p50) <= float(p95) and int(queries) > 0, label
        assert target[:2] == ["<", "100" if label.startswith("start") else "20"], label
    builds = table(out, BUILD_LABEL)
    for label in BUILD_ROWS:
        row = builds[label]
        assert row[0] == ("20" if "PDF" in label or "AHSP" in label else "40"), label
        assert float(row[1]) > 0 and float(row[-1]) > 0, label  # seconds, file KiB
        assert row[-3:-1] == ["-", "-"], label  # no traced run: no Python peak
    assert builds["RAB PDF"][2:5] == ["<", "30", "s"]
    assert builds["RAB XLSX"][2:5] == ["<", "15", "s"]
    assert not ExportJob.objects.exists()  # the bench's jobs (and files) are deleted

    call_command("bench_exports", "--email", user.email, *ARGS, "--only", "rab-csv", "--keep")
    out = capsys.readouterr().out
    assert f"reusing project {large.pk}" in out and "built project" not in out
    assert "RAB PDF" not in out and "start export" not in out
    row = table(out, BUILD_LABEL)["RAB CSV"]
    assert float(row[-3]) > 0 and float(row[-2]) > 0  # Python peak and time of the traced run
    plain, traced = ExportJob.objects.order_by("pk")  # kept: the plain and the traced build
    assert {plain.project, traced.project} == {large} and plain.file and traced.file
    assert plain.status == traced.status == ExportJob.Status.DONE


def test_bench_exports_creates_a_missing_owner_and_refuses_unknown_selections(capsys):
    with pytest.raises(CommandError, match="unknown"):
        call_command("bench_exports", "--email", "bench@example.com", "--only", "docx")
    call_command("bench_exports", "--email", "bench@example.com", *ARGS, "--only", "server")
    out = capsys.readouterr().out
    assert "created user bench@example.com" in out and "start export" in out and "RAB PDF" not in out
    assert Project.objects.filter(owner__email="bench@example.com").count() == 1  # only the small one


def test_one_runs_a_queued_job_and_prints_json(user, capsys):
    project = ProjectFactory(owner=user)
    job = exports.start(project=project, document="rab", fmt="csv", by=user)

    call_command("bench_exports", "--one", str(job.pk), "--trace")
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    assert result["job"] == job.pk and result["status"] == "done" and result["size"] > 0
    assert result["seconds"] > 0 and result["max_rss_mib"] > 0 and result["python_peak_mib"] > 0
