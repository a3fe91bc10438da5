from django.urls import path

from anpai.hazards import ledger_views, views

app_name = "hazards"
urlpatterns = [
    path("", views.HazardListView.as_view(), name="list"),
    path("new/", views.HazardCreateView.as_view(), name="create"),
    # The ledger (xlsx export) and import routes are added here next to the list.
    path("ledger.xlsx", ledger_views.LedgerExportView.as_view(), name="ledger"),
    path("import/", ledger_views.HazardImportView.as_view(), name="import"),
    path("import/template.xlsx", ledger_views.ImportTemplateView.as_view(), name="import_template"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="detail"),
    path(
        "<int:pk>/<slug:action>/",
        views.HazardActionView.as_view(),
        name="action",
    ),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path(
        "attachments/<int:pk>/thumb/",
        views.AttachmentView.as_view(thumbnail=True),
        name="thumb",
    ),
]
