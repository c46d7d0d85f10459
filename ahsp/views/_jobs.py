"""The progress partial of a background job (``ahsp/_job_progress.html``), answered the same way for the
three kinds: the partial polls its job page every second, and once the job is done or failed the answer
is status 286, which makes htmx swap in that last content (download link, result or error) and stop."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import HTMX_STOP_POLLING

from ahsp.models.jobs import BackgroundJob


def stop_polling_when_terminal(response: HttpResponse, job: BackgroundJob) -> HttpResponse:
    """``response`` with status 286 once ``job`` is terminal, so htmx stops polling."""
    if job.is_terminal:
        response.status_code = HTMX_STOP_POLLING
    return response


def job_progress(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The progress partial ``template`` of ``context["job"]``, polled until the job is terminal."""
    return stop_polling_when_terminal(render(request, template, context), context["job"])
