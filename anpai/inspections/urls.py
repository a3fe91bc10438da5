from django.urls import path

from anpai.inspections import checklist_views, duty_views, round_views
from anpai.inspections import views as inspection_views

app_name = "inspections"
urlpatterns = [
    # Inspections: the list, starting one, the phone form / record, its steps and files.
    path("", inspection_views.InspectionListView.as_view(), name="list"),
    path("new/", inspection_views.InspectionCreateView.as_view(), name="create"),
    path("<int:pk>/", inspection_views.InspectionDetailView.as_view(), name="detail"),
    path(
        "<int:pk>/answer/<int:item_pk>/",
        inspection_views.AnswerView.as_view(),
        name="answer",
    ),
    path(
        "<int:pk>/finding/<int:answer_pk>/",
        inspection_views.FindingView.as_view(),
        name="finding",
    ),
    path(
        "<int:pk>/photos/<int:photo_pk>/delete/",
        inspection_views.PhotoDeleteView.as_view(),
        name="photo_delete",
    ),
    path("<int:pk>/sign/", inspection_views.SignView.as_view(), name="sign"),
    path("<int:pk>/submit/", inspection_views.SubmitView.as_view(), name="submit"),
    path("<int:pk>/record.pdf", inspection_views.RecordPdfView.as_view(), name="record"),
    path("<int:pk>/signature.png", inspection_views.SignatureView.as_view(), name="signature"),
    path("photos/<int:pk>/", inspection_views.PhotoView.as_view(), name="photo"),
    path(
        "photos/<int:pk>/thumb/",
        inspection_views.PhotoView.as_view(thumbnail=True),
        name="photo_thumb",
    ),
    # Checklist templates (the library side of inspections).
    path("checklists/", checklist_views.ChecklistListView.as_view(), name="checklist_list"),
    path(
        "checklists/<int:pk>/",
        checklist_views.ChecklistDetailView.as_view(),
        name="checklist_detail",
    ),
    path(
        "checklists/<int:pk>/edit/",
        checklist_views.ChecklistEditView.as_view(),
        name="checklist_edit",
    ),
    path(
        "checklists/<int:pk>/copy/",
        checklist_views.ChecklistCopyView.as_view(),
        name="checklist_copy",
    ),
    path(
        "checklists/<int:pk>/export.xlsx",
        checklist_views.ChecklistExportView.as_view(),
        name="checklist_export",
    ),
    path(
        "checklists/import/",
        checklist_views.ChecklistImportView.as_view(),
        name="checklist_import",
    ),
    path(
        "checklists/import/template.xlsx",
        checklist_views.ChecklistImportTemplateView.as_view(),
        name="checklist_import_template",
    ),
    # Inspection duties (the cadence), the compliance table, government rounds.
    path("duties/", duty_views.DutyListView.as_view(), name="duties"),
    path("duties/new/", duty_views.DutyCreateView.as_view(), name="duty_create"),
    path("duties/<int:pk>/edit/", duty_views.DutyUpdateView.as_view(), name="duty_edit"),
    path(
        "duties/<int:pk>/deactivate/",
        duty_views.DutyDeactivateView.as_view(),
        name="duty_deactivate",
    ),
    path("compliance/", duty_views.ComplianceView.as_view(), name="compliance"),
    path("compliance.xlsx", duty_views.ComplianceExportView.as_view(), name="compliance_export"),
    path("rounds/", round_views.RoundListView.as_view(), name="rounds"),
    path("rounds/new/", round_views.RoundCreateView.as_view(), name="round_create"),
    path("rounds/<int:pk>/", round_views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/verify/", round_views.RoundVerifyView.as_view(), name="round_verify"),
]
