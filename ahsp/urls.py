from django.urls import path

from ahsp.views import (
    analyses,
    compare,
    exports,
    prices,
    project_copy,
    project_import,
    projects,
    rab,
    reference,
    versions,
    work_items,
    work_templates,
)
from ahsp.views import audit as audit_views
from ahsp.views import metrics as metrics_views
from ahsp.views import schedule as schedule_views
from ahsp.views import widgets as widget_views
from ahsp.views import workbook_imports as workbook_import_views
from ahsp.views.progress import progress_item, progress_report, project_progress
from ahsp.views.requirements import project_requirements
from ahsp.views.s_curve import project_s_curve

app_name = "ahsp"

urlpatterns = [
    path("", projects.dashboard, name="dashboard"),
    path("widgets/<slug:name>/", widget_views.widget, name="widget"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/import/", project_import.project_import, name="project_import"),
    path(
        "imports/<int:job_id>/",
        workbook_import_views.workbook_import_job,
        name="workbook_import_job",
    ),
    path(
        "projects/import/template.xlsx",
        project_import.project_import_template,
        name="project_import_template",
    ),
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
        "projects/<int:pk>/items/sections/<int:section_id>/",
        work_items.work_item_section,
        name="work_item_section",
    ),
    path(
        "projects/<int:pk>/items/sections/<int:section_id>/rename/",
        work_items.section_rename,
        name="section_rename",
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
        "projects/<int:pk>/items/<int:item_id>/rename/", work_items.work_item_rename, name="work_item_rename"
    ),
    path(
        "projects/<int:pk>/items/<int:item_id>/delete/", work_items.work_item_delete, name="work_item_delete"
    ),
    path("projects/<int:pk>/items/<int:item_id>/", analyses.work_item_detail, name="work_item_detail"),
    path(
        "projects/<int:pk>/items/<int:item_id>/resources/",
        analyses.analysis_resource_search,
        name="analysis_resource_search",
    ),
    path(
        "projects/<int:pk>/items/<int:item_id>/components/add/",
        analyses.analysis_component_add,
        name="analysis_component_add",
    ),
    path(
        "projects/<int:pk>/items/<int:item_id>/components/<int:component_id>/",
        analyses.analysis_component_edit,
        name="analysis_component_edit",
    ),
    path(
        "projects/<int:pk>/items/<int:item_id>/components/<int:component_id>/delete/",
        analyses.analysis_component_delete,
        name="analysis_component_delete",
    ),
    path("projects/<int:pk>/items/<int:item_id>/reset/", analyses.analysis_reset, name="analysis_reset"),
    path(
        "projects/<int:pk>/items/<int:item_id>/variant/", analyses.analysis_variant, name="analysis_variant"
    ),
    path(
        "projects/<int:pk>/items/<int:item_id>/overhead/",
        analyses.work_item_overhead,
        name="work_item_overhead",
    ),
    path(
        "projects/<int:pk>/items/<int:item_id>/direct-price/",
        analyses.work_item_direct_price,
        name="work_item_direct_price",
    ),
    path("projects/<int:pk>/ahsp/", analyses.project_analyses, name="project_analyses"),
    path("projects/<int:pk>/prices/", prices.project_prices, name="project_prices"),
    path("projects/<int:pk>/prices/import/", prices.project_prices_import, name="project_prices_import"),
    path("projects/<int:pk>/prices/<int:resource_id>/", prices.project_price_edit, name="project_price_edit"),
    path(
        "projects/<int:pk>/prices/<int:resource_id>/delete/",
        prices.project_price_delete,
        name="project_price_delete",
    ),
    path("projects/<int:pk>/rab/", rab.project_rab, name="project_rab"),
    path("projects/<int:pk>/compare/", compare.project_compare, name="project_compare"),
    path("projects/<int:pk>/copy/", project_copy.project_copy, name="project_copy"),
    path("copies/<int:job_id>/", project_copy.project_copy_job, name="project_copy_job"),
    path("projects/restore/", project_copy.project_restore, name="project_restore"),
    path("projects/<int:pk>/versions/", versions.project_versions, name="project_versions"),
    path("projects/<int:pk>/templates/save/", work_templates.template_save, name="template_save"),
    path("projects/<int:pk>/templates/insert/", work_templates.template_insert, name="template_insert"),
    path("templates/", work_templates.template_list, name="template_list"),
    path(
        "templates/<int:template_id>/download.json",
        work_templates.template_download,
        name="template_download",
    ),
    path("templates/<int:template_id>/delete/", work_templates.template_delete, name="template_delete"),
    path("projects/<int:pk>/versions/<int:version_id>/open/", versions.version_open, name="version_open"),
    path(
        "projects/<int:pk>/compare/section/", compare.project_compare_section, name="project_compare_section"
    ),
    path(
        "projects/<int:pk>/compare/perbandingan.<str:fmt>",
        compare.project_compare_document,
        name="project_compare_document",
    ),
    path(
        "projects/<int:pk>/rab/sections/<int:section_id>/",
        rab.project_rab_section,
        name="project_rab_section",
    ),
    path("projects/<int:pk>/resources/", project_requirements, name="project_requirements"),
    path("projects/<int:pk>/progress/", project_progress, name="project_progress"),
    path("projects/<int:pk>/progress/report/", progress_report, name="progress_report"),
    path("projects/<int:pk>/progress/items/<int:item_id>/", progress_item, name="progress_item"),
    path("projects/<int:pk>/kurva-s/", project_s_curve, name="project_s_curve"),
    path("projects/<int:pk>/schedule/", schedule_views.project_schedule, name="project_schedule"),
    path(
        "projects/<int:pk>/schedule/sections/<int:section_id>/",
        schedule_views.project_schedule_section,
        name="project_schedule_section",
    ),
    path(
        "projects/<int:pk>/schedule/sections/<int:section_id>/plan/",
        schedule_views.project_schedule_section_plan,
        name="project_schedule_section_plan",
    ),
    path(
        "projects/<int:pk>/schedule/items/<int:item_id>/",
        schedule_views.project_schedule_item,
        name="project_schedule_item",
    ),
    path(
        "projects/<int:pk>/schedule/stages/",
        schedule_views.project_schedule_stage_create,
        name="project_schedule_stage_create",
    ),
    path(
        "projects/<int:pk>/schedule/stages/<int:stage_id>/",
        schedule_views.project_schedule_stage_edit,
        name="project_schedule_stage_edit",
    ),
    path(
        "projects/<int:pk>/schedule/stages/<int:stage_id>/delete/",
        schedule_views.project_schedule_stage_delete,
        name="project_schedule_stage_delete",
    ),
    path("projects/<int:pk>/audit/", audit_views.project_audit, name="project_audit"),
    path(
        "projects/<int:pk>/audit/<int:event_id>/", audit_views.project_audit_event, name="project_audit_event"
    ),
    path("projects/<int:pk>/exports/rab.csv", rab.project_rab_csv, name="project_rab_csv"),
    path("projects/<int:pk>/exports/", exports.export_centre, name="export_centre"),
    path("exports/<int:job_id>/", exports.export_job, name="export_job"),
    path("exports/<int:job_id>/retry/", exports.export_retry, name="export_retry"),
    path("exports/<int:job_id>/download/", exports.export_download, name="export_download"),
    path("audit/", audit_views.audit, name="audit"),
    path("audit/<int:event_id>/", audit_views.audit_event, name="audit_event"),
    path("referensi/", reference.reference_search, name="reference_search"),
    path("referensi/impor/", reference.reference_upload, name="reference_upload"),
    path("referensi/impor/<int:job_id>/", reference.reference_import_job, name="reference_import_job"),
    path("referensi/<str:code>/", reference.reference_detail, name="reference_detail"),
    path("metrics/", metrics_views.metrics, name="metrics"),
    path("metrics/client/", metrics_views.client_metrics, name="client_metrics"),
    path("metrics/reset/", metrics_views.metrics_reset, name="metrics_reset"),
]
