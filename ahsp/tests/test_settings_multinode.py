"""Settings for several nodes (README "Several machines"): DB_POOLER=pgbouncer switches off server-side
cursors and keeps persistent connections; AWS_STORAGE_BUCKET_NAME puts the default storage (export files,
uploads) on S3-compatible storage; a download is read through the storage, never from a local path."""

import json
import subprocess
import sys

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from ahsp.models import ExportJob
from ahsp.services import exports
from ahsp.tests.rab_data import build_small_rab, rab_csv_bytes
from ahsp.tests.test_deploy_settings import ROOT, production_env

SETTINGS = (
    "import json; from project import settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({'engine': d['ENGINE'], 'port': d.get('PORT'), 'conn_max_age': d['CONN_MAX_AGE'], "
    "'health_checks': d['CONN_HEALTH_CHECKS'], 'no_cursors': d.get('DISABLE_SERVER_SIDE_CURSORS', False), "
    "'storage': s.STORAGES['default']}))"
)
POSTGRES = "postgres://ahsp@pgbouncer:6432/ahsp"


def run_python(tmp_path, script: str, **extra) -> subprocess.CompletedProcess:
    """`python -c script` in a production host's environment plus ``extra``."""
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(tmp_path, **extra) -> dict:
    result = run_python(tmp_path, SETTINGS, **extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_one_machine_filesystem_storage_and_server_side_cursors(tmp_path):
    values = settings_with(tmp_path, DATABASE_URL=POSTGRES, DB_POOLER="", AWS_STORAGE_BUCKET_NAME="")
    assert values["no_cursors"] is False
    assert values["conn_max_age"] == 600
    assert values["storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_pgbouncer_switches_off_server_side_cursors_and_keeps_persistent_connections(tmp_path):
    values = settings_with(tmp_path, DATABASE_URL=POSTGRES, DB_POOLER="pgbouncer")
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["port"] == 6432
    assert values["no_cursors"] is True
    assert values["conn_max_age"] == 600 and values["health_checks"] is True


def test_unknown_pooler_is_refused(tmp_path):
    result = run_python(tmp_path, SETTINGS, DATABASE_URL=POSTGRES, DB_POOLER="pgpool")
    assert result.returncode != 0
    assert "DB_POOLER must be empty or 'pgbouncer'" in result.stderr


S3_ENV = {
    "AWS_STORAGE_BUCKET_NAME": "ahsp-exports",
    "AWS_S3_ENDPOINT_URL": "http://minio.internal:9000",
    "AWS_S3_REGION_NAME": "us-east-1",
    "AWS_ACCESS_KEY_ID": "test-key-id",
    "AWS_SECRET_ACCESS_KEY": "test-secret",
    "AWS_S3_ADDRESSING_STYLE": "path",
}


def test_a_bucket_puts_the_default_storage_on_s3_with_private_signed_urls(tmp_path):
    values = settings_with(tmp_path, **S3_ENV)
    assert values["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = values["storage"]["OPTIONS"]
    assert options["bucket_name"] == "ahsp-exports"
    assert options["endpoint_url"] == "http://minio.internal:9000"
    assert options["region_name"] == "us-east-1"
    assert options["custom_domain"] is None and options["querystring_auth"] is True
    assert options["default_acl"] is None and options["file_overwrite"] is False

    # The storage django-storages builds from it: a signed URL is made locally, without the network.
    script = (
        "import django, json; django.setup(); from django.core.files.storage import storages; "
        "s = storages['default']; print(json.dumps([type(s).__name__, s.bucket_name, "
        "s.url('exports/rab-1.pdf')]))"
    )
    result = run_python(tmp_path, script, **S3_ENV)
    assert result.returncode == 0, result.stderr
    name, bucket, url = json.loads(result.stdout)
    assert (name, bucket) == ("S3Storage", "ahsp-exports")
    assert url.startswith("http://minio.internal:9000/ahsp-exports/exports/rab-1.pdf?")
    assert "X-Amz-Signature=" in url


@pytest.mark.django_db
def test_download_reads_the_file_through_a_storage_without_local_paths(
    settings, tmp_path, logged_in_client, user, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    rab = build_small_rab(user)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start(project=rab.project, document="rab", fmt="csv", by=user)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert not settings.MEDIA_ROOT.exists()  # nothing on this disk, as with S3

    response = logged_in_client.get(reverse("ahsp:export_download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == rab_csv_bytes(job.project)
