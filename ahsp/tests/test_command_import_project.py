from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from ahsp.management.commands.import_project import Command
from ahsp.models import AuditEvent, Project, Section, WorkItem
from ahsp.tests.test_services_project_import import make_library, valid_sheets, write_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    return make_library()


def run(*args) -> str:
    out = StringIO()
    call_command("import_project", *args, stdout=out)
    return out.getvalue()


def test_import_prints_the_new_project_id_last(user, library, tmp_path):
    path = write_workbook(tmp_path / "proyek.xlsx", valid_sheets())

    output = run(str(path), "--owner", "Estimator@Example.com")

    project = Project.objects.get()
    assert output.strip().splitlines()[-1] == str(project.pk)
    assert "3 pekerjaan" in output
    assert project.owner == user and WorkItem.objects.filter(project=project).count() == 3
    assert AuditEvent.objects.get(action="import").after["file_name"] == "proyek.xlsx"


def test_problems_are_listed_and_nothing_is_written(user, library, tmp_path):
    sheets = valid_sheets()
    sheets["Proyek"][1] = ["nama", None]
    sheets["Pekerjaan"].append(["Pekerjaan Tanah", None, "9.9.9", "Tidak ada", "m3", 1])
    path = write_workbook(tmp_path / "salah.xlsx", sheets)

    with pytest.raises(CommandError) as caught:
        run(str(path), "--owner", user.email)

    message = str(caught.value)
    assert message.startswith("Impor dibatalkan, tidak ada yang disimpan: 2 masalah ditemukan.")
    assert "- Proyek, baris 2, kolom nama: nama wajib diisi." in message
    assert "- Pekerjaan, baris 5, kolom kode_ahsp (nilai “9.9.9”): kode_ahsp tidak ditemukan" in message
    assert Project.objects.count() == Section.objects.count() == AuditEvent.objects.count() == 0


def test_problems_exit_with_a_non_zero_status(user, library, tmp_path, capsys, monkeypatch):
    # run_from_argv (what manage.py calls) closes the connections at the end: keep the test's one open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    sheets = valid_sheets()
    sheets["Proyek"][1] = ["nama", None]
    path = write_workbook(tmp_path / "salah.xlsx", sheets)

    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["manage.py", "import_project", str(path), "--owner", user.email])

    assert caught.value.code == 1
    assert "nama wajib diisi." in capsys.readouterr().err
    assert Project.objects.count() == 0


def test_unknown_owner_or_missing_file(user, tmp_path):
    path = write_workbook(tmp_path / "proyek.xlsx", valid_sheets())
    with pytest.raises(CommandError, match="Pengguna dengan e-mail nobody@example.com tidak ditemukan"):
        run(str(path), "--owner", "nobody@example.com")
    with pytest.raises(CommandError, match="Berkas tidak ditemukan"):
        run(str(tmp_path / "tidak-ada.xlsx"), "--owner", user.email)
    assert Project.objects.count() == 0


def test_owner_is_required(tmp_path):
    with pytest.raises(CommandError, match="--owner"):
        run(str(tmp_path / "proyek.xlsx"))


def test_warnings_are_printed_and_the_project_is_imported(user, library, tmp_path):
    sheets = valid_sheets()
    sheets["Proyek"][8] = ["buk_persen", "20"]
    path = write_workbook(tmp_path / "proyek.xlsx", sheets)

    output = run(str(path), "--owner", user.email)

    project = Project.objects.get()
    lines = output.strip().splitlines()
    assert lines[-1] == str(project.pk)  # still the last line
    assert "1 peringatan (bukan masalah: tidak menghalangi impor):" in lines
    assert "- Proyek, baris 9, kolom buk_persen (nilai “20”): BUK di atas batas 15%" in output
