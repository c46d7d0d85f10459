import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_bench_search_prints_a_row_per_query_and_mode(user, capsys):
    call_command("bench_search", "--runs", "2")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split() == ["query", "mode", "P50", "ms", "P95", "ms", "queries"]
    assert len(lines) == 1 + 8 * 2


def test_bench_search_needs_a_user():
    with pytest.raises(CommandError, match="pengguna"):
        call_command("bench_search", "--runs", "1")
