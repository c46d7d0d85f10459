from django.urls import path

from ahsp.views import projects, reference

app_name = "ahsp"

urlpatterns = [
    path("", projects.dashboard, name="dashboard"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:pk>/archive/", projects.project_archive, name="project_archive"),
    path("projects/<int:pk>/delete/", projects.project_delete, name="project_delete"),
    path("referensi/", reference.reference_search, name="reference_search"),
    path("referensi/impor/", reference.reference_upload, name="reference_upload"),
    path("referensi/<str:code>/", reference.reference_detail, name="reference_detail"),
]
