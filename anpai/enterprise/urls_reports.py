"""Commitments (承诺书) and self-inspection reports (自查检视报告), under /responsibility/."""

from django.urls import path

from anpai.enterprise import views_reports as v

urlpatterns = [
    path("commitments/", v.CommitmentListView.as_view(), name="commitments"),
    path("commitments/export.xlsx", v.CommitmentExportView.as_view(), name="commitment_export"),
    path("commitments/sign/", v.CommitmentSignView.as_view(), name="commitment_sign"),
    path("commitments/<int:pk>/", v.CommitmentDetailView.as_view(), name="commitment_detail"),
    path("commitments/<int:pk>/pdf/", v.CommitmentPdfView.as_view(), name="commitment_pdf"),
    path(
        "commitments/<int:pk>/signature.png",
        v.CommitmentSignatureView.as_view(),
        name="commitment_signature",
    ),
    path("reports/", v.ReportListView.as_view(), name="reports"),
    path("reports/new/", v.ReportCreateView.as_view(), name="report_create"),
    path("reports/<int:pk>/", v.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/edit/", v.ReportEditView.as_view(), name="report_edit"),
    path(
        "reports/<int:pk>/submit/",
        v.ReportStepView.as_view(step="submit"),
        name="report_submit",
    ),
    path(
        "reports/<int:pk>/return/",
        v.ReportStepView.as_view(step="return"),
        name="report_return",
    ),
    path("reports/<int:pk>/file/", v.ReportStepView.as_view(step="file"), name="report_file"),
    path(
        "reports/<int:pk>/attachment/",
        v.ReportAttachmentView.as_view(),
        name="report_attachment",
    ),
]
