from django.urls import path

from ahsp.views import projects, reference, work_items

app_name = "ahsp"

urlpatterns = [
    path("", projects.dashboard, name="dashboard"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:pk>/archive/", projects.project_archive, name="project_archive"),
    path("projects/<int:pk>/delete/", projects.project_delete, name="project_delete"),
    path("projects/<int:pk>/items/", work_items.work_item_list, name="work_item_list"),
    path("projects/<int:pk>/items/add/", work_items.work_item_add, name="work_item_add"),
    path("projects/<int:pk>/items/picker/", work_items.reference_picker, name="work_item_picker"),
    path("projects/<int:pk>/items/sections/new/", work_items.section_create, name="section_create"),
    path(
        "projects/<int:pk>/items/sections/<int:section_id>/move/",
        work_items.section_move,
        name="section_move",
    ),
    path(
        "projects/<int:pk>/items/sections/<int:section_id>/delete/",
        work_items.section_delete,
        name="section_delete",
    ),
    path("projects/<int:pk>/items/parameters/", work_items.parameter_set, name="parameter_set"),
    path(
        "projects/<int:pk>/items/parameters/<int:parameter_id>/delete/",
        work_items.parameter_delete,
        name="parameter_delete",
    ),
    path(
        "projects/<int:pk>/items/<int:item_id>/volume/", work_items.work_item_volume, name="work_item_volume"
    ),
    path("projects/<int:pk>/items/<int:item_id>/move/", work_items.work_item_move, name="work_item_move"),
    path(
        "projects/<int:pk>/items/<int:item_id>/delete/", work_items.work_item_delete, name="work_item_delete"
    ),
    path("referensi/", reference.reference_search, name="reference_search"),
    path("referensi/impor/", reference.reference_upload, name="reference_upload"),
    path("referensi/<str:code>/", reference.reference_detail, name="reference_detail"),
]
