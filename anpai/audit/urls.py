from django.urls import path

from anpai.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditListView.as_view(), name="list"),
    path("verify/", views.AuditVerifyView.as_view(), name="verify"),
    path("export/", views.AuditExportView.as_view(), name="export"),
]
