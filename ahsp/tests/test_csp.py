"""Content-Security-Policy: every page sends it, and no template needs inline code or styles it forbids."""

import re
from pathlib import Path

import pytest

from ahsp.tests.factories import ProjectFactory

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "ahsp/templates", ROOT / "partials/templates", ROOT / "project/templates"]
PDF_TEMPLATES = ROOT / "ahsp/templates/ahsp/pdf"  # rendered to PDF by xhtml2pdf, never served as a page
INLINE_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
HX_ON = re.compile(r"""\shx-on(:|-)""", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)


def page_templates():
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            if PDF_TEMPLATES not in path.parents:
                yield path


def test_templates_have_no_inline_handlers_scripts_or_styles():
    found = []
    for path in page_templates():
        text = path.read_text()
        name = path.relative_to(ROOT)
        found += [f"{name}: inline handler {m.group().strip()}" for m in INLINE_HANDLER.finditer(text)]
        found += [f"{name}: hx-on (htmx evaluates it)" for _ in HX_ON.finditer(text)]
        found += [f"{name}: inline style=" for _ in STYLE_ATTRIBUTE.finditer(text)]
        for match in SCRIPT_TAG.finditer(text):
            attributes = match.group(1)
            if "src=" not in attributes and "csp_nonce" not in attributes:
                found.append(f"{name}: inline <script> without a nonce")
        found += [f"{name}: <style> element" for _ in re.finditer(r"<style\b", text, re.IGNORECASE)]
    assert found == []


def test_the_grep_finds_what_it_is_for(tmp_path):
    """The patterns above really catch the forms they forbid."""
    text = """<button onclick="go()"> <a hx-on::before-request="x"> <div style="color: red"> <script>x</script>"""
    assert INLINE_HANDLER.search(text) and HX_ON.search(text) and STYLE_ATTRIBUTE.search(text)
    assert "src=" not in SCRIPT_TAG.search(text).group(1)
    assert not INLINE_HANDLER.search('<a data-onclick="x" hx-confirm="y">')


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/"])
def test_anonymous_pages_send_the_policy(client, url):
    directives = policy(client.get(url))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'" and directives["script-src"][1].startswith("'nonce-")
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    header = client.get(url)["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "*" not in header


@pytest.mark.django_db
def test_app_pages_and_htmx_fragments_send_the_policy(logged_in_client, user):
    project = ProjectFactory(owner=user, name="Gedung")
    for url in ("/", f"/projects/{project.pk}/", f"/projects/{project.pk}/rab/"):
        response = logged_in_client.get(url)
        assert response.status_code == 200, url
        assert policy(response)["script-src"][0] == "'self'", url
    fragment = logged_in_client.get("/", headers={"HX-Request": "true"})
    assert "Content-Security-Policy" in fragment


@pytest.mark.django_db
def test_the_htmx_script_carries_the_page_nonce(client):
    response = client.get("/accounts/login/")
    nonce = policy(response)["script-src"][1].removeprefix("'nonce-").removesuffix("'")
    assert re.search(
        r'<script src="/static/django_htmx/htmx[^"]*"[^>]* nonce="' + re.escape(nonce), response.text
    )
