"""The REST API, version 1: one router, each app registering its viewsets."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from anpai.enforcement.api import (
    AccountabilityFileViewSet,
    AccountabilityViewSet,
    CaseViewSet,
    DocumentViewSet,
    ReviewViewSet,
)
from anpai.enterprise.api import CommitmentViewSet, SelfInspectionReportViewSet
from anpai.hazards.api import HazardViewSet
from anpai.inspections.api.checklists import ChecklistViewSet
from anpai.inspections.api.duties import InspectionDutyViewSet
from anpai.inspections.api.inspections import InspectionViewSet
from anpai.jobs.api import JobViewSet
from anpai.orgs.api import OrganizationViewSet, SupervisionViewSet
from anpai.people.api import MeView, TokenView
from anpai.permits.api import PermitViewSet
from anpai.regions.api import RegionViewSet
from anpai.risks.api import OrganizationRiskMapViewSet, RiskPointViewSet
from anpai.standards.api import StandardViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("supervisions", SupervisionViewSet, basename="supervision")
router.register("regions", RegionViewSet, basename="region")
router.register("hazards", HazardViewSet, basename="hazard")
router.register("jobs", JobViewSet, basename="job")
router.register("standards", StandardViewSet, basename="standard")
router.register("checklists", ChecklistViewSet, basename="checklist")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("inspection-duties", InspectionDutyViewSet, basename="inspection-duty")
router.register("risk-points", RiskPointViewSet, basename="risk-point")
router.register("permits", PermitViewSet, basename="permit")
# Enterprise responsibility: the principal's commitment and the self-inspection report.
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register(
    "self-inspection-reports", SelfInspectionReportViewSet, basename="self-inspection-report"
)
router.register("cases", CaseViewSet, basename="case")
router.register("reviews", ReviewViewSet, basename="review")
router.register("documents", DocumentViewSet, basename="document")
router.register("accountability", AccountabilityViewSet, basename="accountability")

app_name = "api"
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", MeView.as_view(), name="me"),
    # A file's name, without the router's trailing slash; before the router, whose
    # format-suffix route would read it as hazard "ledger" in format "xlsx".
    path(
        "hazards/ledger.xlsx",
        HazardViewSet.as_view({"get": "ledger"}),
        name="hazard-ledger",
    ),
    # Likewise a file: the router's format-suffix routes must not see "risk-map.svg".
    path(
        "organizations/<int:pk>/risk-map.svg",
        OrganizationRiskMapViewSet.as_view({"get": "risk_map"}),
        name="organization-risk-map",
    ),
    # An official document's files, likewise without a slash.
    path("documents/<int:pk>/pdf", DocumentViewSet.as_view({"get": "pdf"}), name="document-pdf"),
    path("documents/<int:pk>/docx", DocumentViewSet.as_view({"get": "docx"}), name="document-docx"),
    path(
        "accountability/files/<int:pk>",
        AccountabilityFileViewSet.as_view({"get": "download"}),
        name="accountability-file",
    ),
    *router.urls,
]
