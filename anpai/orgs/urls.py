from django.urls import path

from anpai.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="list"),
    path("new/", views.OrganizationCreateView.as_view(), name="create"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.OrganizationUpdateView.as_view(), name="edit"),
    path("import/", views.OrganizationImportView.as_view(), name="import"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), name="import_template"),
    path("export.xlsx", views.OrganizationExportView.as_view(), name="export"),
    path("supervision/", views.SupervisionListView.as_view(), name="supervision"),
]
