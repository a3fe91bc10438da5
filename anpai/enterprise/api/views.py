"""Commitments and self-inspection reports API.

The views parse input and call :mod:`anpai.enterprise.actions`; every rule lives
there. Errors: outside your scope 404 (other people's draft reports included),
your role may not 403, the report's state refuses the step (or a second
commitment for a year) 409, bad input 400 per field.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anpai.core import access
from anpai.core.api import (
    ERROR_RESPONSES,
    WRITE_ERROR_RESPONSES,
    ErrorSerializer,
    RestrictedViewSetMixin,
)
from anpai.enterprise import actions
from anpai.enterprise.api.serializers import (
    CommitmentInputSerializer,
    CommitmentSerializer,
    ReportFileSerializer,
    ReportInputSerializer,
    ReportListSerializer,
    ReportReturnSerializer,
    ReportSerializer,
    ReportStepSerializer,
)
from anpai.enterprise.forms_reports import ReportFilterSet
from anpai.enterprise.models import Commitment, ReportEvent, SelfInspectionReport

CONFLICT = OpenApiResponse(
    ErrorSerializer, description=_("Refused by the report's state, or changed meanwhile.")
)
STEP_RESPONSES = {200: ReportSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT}


class CommitmentFilterSet(filters.FilterSet):
    year = filters.NumberFilter(field_name="year")
    organization = filters.NumberFilter(field_name="organization_id")

    class Meta:
        model = Commitment
        fields = ["year", "organization"]


@extend_schema(tags=["enterprise responsibility"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List principals' commitments"),
        description=_(
            "The yearly commitments (承诺书) within your scope; ?year= and ?organization=."
        ),
        responses={200: CommitmentSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One commitment"),
        responses={200: CommitmentSerializer, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary=_("Sign this year's commitment"),
        description=_(
            "The principal ticks each of the seven duties of Art. 21 of the Work Safety Law "
            "(``duties``: every code), gives the name and the drawn signature (PNG, base64). "
            "One per organisation and year: a second answers 409 naming the year."
        ),
        request=CommitmentInputSerializer,
        responses={201: CommitmentSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT},
    ),
)
class CommitmentViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    resource = actions.COMMITMENT
    queryset = Commitment.objects.none()
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet

    def get_queryset(self):
        return (
            Commitment.objects.restrict(self.request.user, access.VIEW)
            .select_related("organization")
            .order_by("-year", "organization__name", "id")
        )

    def create(self, request, *args, **kwargs):
        serializer = CommitmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        commitment = actions.sign_commitment(
            by=request.user,
            organization=data.get("organization"),
            year=data.get("year"),
            duties_ticked=data.get("duties") or [],
            extra=data.get("extra", ""),
            signer_name=data.get("signer_name", ""),
            signature=data.get("signature", ""),
        )
        fresh = self.get_queryset().get(pk=commitment.pk)
        return Response(CommitmentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("The printed commitment (PDF)"),
        description=_("承诺书 as printed: the seven duties, the pledge, the signature, the date."),
        responses={(200, "application/pdf"): bytes, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        from anpai.enterprise.views_reports import render_commitment_pdf

        commitment = self.get_object()
        response = HttpResponse(render_commitment_pdf(commitment), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="commitment-{commitment.year}.pdf"'
        return response


def _step_schema(summary, request, description=""):
    return extend_schema(
        summary=summary, description=description, request=request, responses=STEP_RESPONSES
    )


@extend_schema(tags=["enterprise responsibility"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List self-inspection reports"),
        description=_(
            "Self-inspection reports (自查检视报告) within your scope. Government users never "
            "see drafts. Filters: state, year, organization, q."
        ),
        responses={200: ReportListSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One self-inspection report, with its history"),
        responses={200: ReportSerializer, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary=_("Draft a self-inspection report"),
        description=_(
            "By the principal or safety manager; title and overview are required. Send it "
            "as multipart/form-data to attach the signed copy (``attachment``: PDF or photo, "
            "checked by content)."
        ),
        request=ReportInputSerializer,
        responses={201: ReportSerializer, **WRITE_ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary=_("Change a draft or a returned report"),
        request=ReportInputSerializer,
        responses={200: ReportSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT},
    ),
)
class SelfInspectionReportViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    resource = actions.REPORT
    queryset = SelfInspectionReport.objects.none()
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        **RestrictedViewSetMixin.action_permissions,
        "submit": actions.SUBMIT,
        "return_": actions.FILE,
        "file": actions.FILE,
    }

    def get_serializer_class(self):
        return ReportListSerializer if self.action == "list" else ReportSerializer

    def get_queryset(self):
        rows = SelfInspectionReport.objects.restrict(self.request.user, access.VIEW).select_related(
            "organization", "filed_by"
        )
        if self.action != "list":
            rows = rows.prefetch_related(
                Prefetch("events", queryset=ReportEvent.objects.select_related("actor"))
            )
        return rows.order_by("-updated_at", "-id")

    def _fresh(self, pk: int) -> dict:
        report = (
            SelfInspectionReport.objects.select_related("organization", "filed_by")
            .prefetch_related(
                Prefetch("events", queryset=ReportEvent.objects.select_related("actor"))
            )
            .get(pk=pk)
        )
        return ReportSerializer(report, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = actions.create_report(
            by=request.user,
            organization=serializer.validated_data.get("organization"),
            attachment=request.FILES.get("attachment"),
            **serializer.values(),
        )
        return Response(self._fresh(report.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()  # 404 outside the scope, 403 seen but not changed
        serializer = ReportInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        actions.update_report(
            report.pk,
            by=request.user,
            version=serializer.validated_data.get("version"),
            attachment=request.FILES.get("attachment"),
            **serializer.values(),
        )
        return Response(self._fresh(report.pk))

    def _step(self, request, serializer_class, call):
        report = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        call(report.pk, dict(serializer.validated_data))
        return Response(self._fresh(report.pk))

    @extend_schema(
        summary=_("The signed copy (PDF or JPEG)"),
        responses={(200, "application/octet-stream"): bytes, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get"])
    def attachment(self, request, pk=None):
        report = self.get_object()
        if not report.attachment:
            raise Http404
        name = report.attachment.name.lower()
        kind = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
        response = HttpResponse(report.attachment.read(), content_type=kind)
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @_step_schema(_("Submit to the township"), ReportStepSerializer, _("The principal only."))
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(
            request,
            ReportStepSerializer,
            lambda p, d: actions.submit(p, by=request.user, version=d.get("version")),
        )

    @_step_schema(
        _("Return with comments"),
        ReportReturnSerializer,
        _("A township or department officer; the comment is required."),
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._step(
            request,
            ReportReturnSerializer,
            lambda p, d: actions.send_back(
                p, by=request.user, comment=d.get("comment", ""), version=d.get("version")
            ),
        )

    @_step_schema(
        _("File the report (备案)"),
        ReportFileSerializer,
        _("With the next number of the township's filing series, or one given (unique)."),
    )
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        return self._step(
            request,
            ReportFileSerializer,
            lambda p, d: actions.file(
                p,
                by=request.user,
                filing_number=d.get("filing_number", ""),
                comment=d.get("comment", ""),
                version=d.get("version"),
            ),
        )
