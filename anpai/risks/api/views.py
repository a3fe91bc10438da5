"""Risk points API: the list and detail, create and change, assess, and an
organisation's four-colour map as SVG.

The views parse input and call :mod:`anpai.risks.actions`; every rule lives
there. Errors: outside your scope 404, your role may not 403, the point
changed since your ``version`` 409, bad input 400 per field.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anpai.core import access
from anpai.core.api import ERROR_RESPONSES, WRITE_ERROR_RESPONSES, RestrictedViewSetMixin
from anpai.orgs.models import Organization
from anpai.risks import actions
from anpai.risks.api.serializers import (
    AssessmentSerializer,
    AssessSerializer,
    RiskPointSerializer,
)
from anpai.risks.choices import PointKind, RiskLevel
from anpai.risks.models import Assessment, ControlMeasure, RiskPoint

SVG = "image/svg+xml"
LATEST_ASSESSMENTS = 5

CONFLICT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=_("The risk point changed since your version: reload it and try again."),
)


class RiskPointFilterSet(filters.FilterSet):
    """The API's filters: organisation id, level, kind, re-assessment due, active."""

    organization = filters.NumberFilter(
        field_name="organization_id", help_text=_("Organisation id.")
    )
    level = filters.ChoiceFilter(choices=RiskLevel.choices)
    kind = filters.ChoiceFilter(choices=PointKind.choices)
    needs_reassessment = filters.BooleanFilter()
    is_active = filters.BooleanFilter()

    class Meta:
        model = RiskPoint
        fields = ["organization", "level", "kind", "needs_reassessment", "is_active"]


def _point_values(data: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The action's keyword arguments from validated data, and the area (``...`` if not sent)."""
    values = dict(data)
    values.pop("organization", None)
    values.pop("version", None)
    area = values.pop("area", ...)
    return values, area


@extend_schema(tags=["risk-points"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List risk points"),
        description=_("Risk points within your scope, with their measures and latest assessments."),
        responses={200: RiskPointSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One risk point"),
        description=_("404 when the risk point is outside your scope."),
        responses={200: RiskPointSerializer, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary=_("Identify a risk point"),
        description=_(
            "The organisation's principal and safety manager, or township safety officers. "
            "Name and kind are required; the point is assessed separately."
        ),
        request=RiskPointSerializer,
        responses={201: RiskPointSerializer, **WRITE_ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary=_("Change a risk point"),
        description=_(
            "Only the fields sent are changed; ``area`` redraws it on the site plan. "
            "Send ``version`` to be told (409) if someone changed it meanwhile."
        ),
        request=RiskPointSerializer,
        responses={200: RiskPointSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT},
    ),
)
class RiskPointViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Risk points (风险点) within the user's scope."""

    resource = actions.RESOURCE
    queryset = RiskPoint.objects.none()
    serializer_class = RiskPointSerializer
    filterset_class = RiskPointFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {**RestrictedViewSetMixin.action_permissions, "assess": actions.ASSESS}

    def get_queryset(self):
        return (
            RiskPoint.objects.restrict(self.request.user, access.VIEW)
            .select_related("organization", "responsible_user")
            .prefetch_related(
                Prefetch(
                    "measures",
                    queryset=ControlMeasure.objects.filter(is_active=True).select_related(
                        "responsible_user", "check_user"
                    ),
                    to_attr="active_measures",
                ),
                Prefetch(
                    "assessments",
                    queryset=Assessment.objects.select_related("assessed_by", "scheme").order_by(
                        "-assessed_at", "-id"
                    )[:LATEST_ASSESSMENTS],
                    to_attr="latest_assessments",
                ),
            )
            .order_by("organization_id", "code", "id")
        )

    def _fresh(self, pk: int) -> dict:
        return RiskPointSerializer(
            self.get_queryset().get(pk=pk), context=self.get_serializer_context()
        ).data

    def create(self, request, *args, **kwargs):
        serializer = RiskPointSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        organization = serializer.validated_data["organization"]
        values, area = _point_values(serializer.validated_data)
        with transaction.atomic():
            point = actions.create_point(by=request.user, organization=organization, **values)
            if area is not ... and area:
                actions.save_area(point, by=request.user, area=area)
        return Response(self._fresh(point.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        point = self.get_object()  # 404 outside the scope, 403 seen but not changed
        serializer = RiskPointSerializer(
            point, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        version = serializer.validated_data.get("version")
        values, area = _point_values(serializer.validated_data)
        with transaction.atomic():
            if values or version is not None:
                actions.update_point(point.pk, by=request.user, version=version, **values)
            if area is not ...:
                actions.save_area(point.pk, by=request.user, area=area)
        return Response(self._fresh(point.pk))

    @extend_schema(
        summary=_("Assess a risk point"),
        description=_(
            'LEC: ``{"method": "lec", "l": 6, "e": 3, "c": 15}``; matrix: '
            '``{"method": "matrix", "l": 4, "s": 4}``. Each factor must be one of the '
            "values of the scheme in force for the point's township. Answers the computed "
            "score, level and colour; the assessment is kept as history. An inherent "
            "assessment sets the point's level; a residual one (``residual``) its residual level."
        ),
        request=AssessSerializer,
        responses={201: AssessmentSerializer, **WRITE_ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        point = self.get_object()  # 404 outside the scope, 403 without "assess"
        serializer = AssessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assessment = actions.assess(
            point.pk,
            by=request.user,
            method=data["method"],
            values=serializer.factor_values(),
            residual=data["residual"],
            reason=data["reason"],
            note=data["note"],
        )
        assessment = Assessment.objects.select_related("assessed_by", "scheme").get(
            pk=assessment.pk
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["risk-points"])
class OrganizationRiskMapViewSet(RestrictedViewSetMixin, viewsets.GenericViewSet):
    """``GET /api/v1/organizations/{id}/risk-map.svg`` (routed in ``anpai.api_urls``)."""

    resource = actions.RESOURCE
    queryset = Organization.objects.none()
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        # The organisations whose risk points the user may see.
        q = access.scope_q(self.request.user, actions.RESOURCE, access.VIEW, org_path="")
        return Organization.objects.filter(q) if q is not None else Organization.objects.none()

    def perform_content_negotiation(self, request, force=False):
        # The map is SVG whatever the client accepts; its errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary=_("Four-colour risk map (四色图) of an organisation"),
        description=_(
            "The organisation's site plan with each risk point's area filled red, orange, "
            "yellow or blue by its level, a legend, the title and the date, as SVG."
        ),
        responses={
            (200, SVG): OpenApiResponse(OpenApiTypes.STR, description=_("The map as SVG.")),
            **ERROR_RESPONSES,
        },
    )
    def risk_map(self, request, pk=None):
        organization = self.get_object()  # 404 outside the scope
        from anpai.risks.maps import org_map_svg  # another part of the app draws the maps

        svg = org_map_svg(organization)
        response = HttpResponse(svg, content_type=f"{SVG}; charset=utf-8")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-cache"
        return response
