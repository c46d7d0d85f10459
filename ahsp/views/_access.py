"""Who may open a page: the project a request names, and the staff-only pages, checked one way everywhere.

A project the user may not see answers 404, never 403: the answer does not tell a stranger that the project
exists. Reading needs ``Project.objects.visible_to``, writing ``editable_by`` (today both mean "the owner").

Staff pages call ``staff_required`` below ``login_required`` and the method check, so an anonymous visitor
is sent to the login page and a wrong method still answers 405. A non-staff user gets 404 (the page does not
exist for them), or a 403 with a message where the page is linked for everyone (the reference upload).
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from ahsp.models import Project


def project_for(request: HttpRequest, pk: int, *, edit: bool = False) -> Project:
    """The project ``pk`` if the user may see it (``edit=True``: may change it), else ``Http404``.

    A GET asks the database once per request however often it is called (the page cache's check and then
    the view's); a write always reads the row afresh."""
    safe = request.method in ("GET", "HEAD")
    memo = request.__dict__.setdefault("_projects_checked", {}) if safe else {}
    if (pk, edit) not in memo:
        projects = (
            Project.objects.editable_by(request.user) if edit else Project.objects.readable_by(request.user)
        )
        memo[(pk, edit)] = get_object_or_404(projects, pk=pk)
    return memo[(pk, edit)]


def projects_for(request: HttpRequest, *pks: int) -> list[Project]:
    """Several projects the user may see (a comparison of two), read in one query; ``Http404`` if any is
    not visible. Each is then known to ``project_for`` for the rest of the GET."""
    found = {project.pk: project for project in Project.objects.readable_by(request.user).filter(pk__in=pks)}
    if any(pk not in found for pk in pks):
        raise Http404
    if request.method in ("GET", "HEAD"):
        memo = request.__dict__.setdefault("_projects_checked", {})
        memo.update({(pk, False): project for pk, project in found.items()})
    return [found[pk] for pk in pks]


def may_edit(request: HttpRequest, project: Project) -> bool:
    """Whether the user may change ``project`` (a page shows its edit controls only then); one query."""
    return Project.objects.editable_by(request.user).filter(pk=project.pk).exists()


def staff_required(view: Callable | None = None, *, forbidden: str | None = None) -> Callable:
    """A view for staff only: others get ``Http404``, or ``PermissionDenied(forbidden)`` (403) if given.

    ``@staff_required`` or ``@staff_required(forbidden="...")``; put it directly above the ``def``.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def staff_only(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_staff:
                if forbidden is not None:
                    raise PermissionDenied(forbidden)
                raise Http404
            return view(request, *args, **kwargs)

        return staff_only

    return decorate(view) if view is not None else decorate
