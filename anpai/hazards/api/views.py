"""Hazards API: the list and detail, one endpoint per step of the closed loop, the ledger.

The views parse input and call :mod:`anpai.hazards.actions`; every rule lives
there. Errors: outside your scope 404, your role may not 403, the hazard's
state does not allow it (or it changed since your ``version``) 409 with the
hazard as it is now, bad input 400 per field.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from anpai.core import access
from anpai.core.api import ERROR_RESPONSES, WRITE_ERROR_RESPONSES, RestrictedViewSetMixin
from anpai.core.errors import Conflict, Invalid
from anpai.hazards import actions
from anpai.hazards.api.serializers import (
    AssignSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    EventSerializer,
    ExtendSerializer,
    GradeSerializer,
    HazardSerializer,
    RectifySerializer,
    ReportSerializer,
    SuperviseSerializer,
    VerifySerializer,
    VoidSerializer,
)
from anpai.hazards.filtersets import HazardFilterSet
from anpai.hazards.ledger import stream_ledger
from anpai.hazards.models import Attachment, Event, Hazard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CONFLICT = OpenApiResponse(
    inline_serializer(
        "HazardConflict",
        fields={"detail": serializers.CharField(), "hazard": HazardSerializer()},
    ),
    description=_(
        "Not possible in the hazard's current state, or it changed since your version; "
        "``hazard`` is how it is now."
    ),
)
STEP_RESPONSES = {200: HazardSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT}
BOTH = ["application/json", "multipart/form-data"]


def _document(summary, request, description=""):
    """The schema of one step: its input serializer, the hazard back, and its errors."""
    return extend_schema(
        summary=summary,
        description=description,
        request=dict.fromkeys(BOTH, request) if request is RectifySerializer else request,
        responses=STEP_RESPONSES,
    )


@extend_schema(tags=["hazards"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List hazards"),
        description=_("Hazards within your scope, filtered as on the list page."),
        responses={200: HazardSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One hazard"),
        description=_("404 when the hazard is outside your scope."),
        responses={200: HazardSerializer, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary=_("Report a hazard"),
        description=_("JSON, or multipart with one or more ``photos`` (before rectification)."),
        request=dict.fromkeys(BOTH, ReportSerializer),
        responses={201: HazardSerializer, **WRITE_ERROR_RESPONSES},
    ),
)
class HazardViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Hazards within the user's scope, and the steps of their closed loop."""

    resource = actions.RESOURCE
    queryset = Hazard.objects.none()
    serializer_class = HazardSerializer
    filterset_class = HazardFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions = {
        **RestrictedViewSetMixin.action_permissions,
        "ledger": access.EXPORT,
        "history": access.VIEW,
        "attachments": "attach",
        "grade": "grade",
        "assign": "assign",
        "rectify": "rectify",
        "verify": "verify",
        "void": "void",
        "supervise": "supervise",
    }

    def get_queryset(self):
        return (
            Hazard.objects.restrict(self.request.user, access.VIEW)
            .with_list_related()
            .select_related("rectified_by", "supervisor", "risk_point")
            .prefetch_related(
                Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "id")),
                "extensions",
            )
        )

    def _needed(self, request) -> str:
        if self.action == "extend":
            # One endpoint, two steps: asking for a later deadline, or deciding on it.
            return "decide_extension" if "decision" in request.data else "extend"
        return super()._needed(request)

    def perform_content_negotiation(self, request, force=False):
        # The ledger is a file whatever the client accepts; its errors are JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "ledger")

    # ------------------------------------------------------------ reading

    def _data(self, hazards, *, many: bool):
        """Serialize with each hazard's organisation's roles computed for all rows at once."""
        rows = list(hazards) if many else [hazards]
        roles = access.roles_on_orgs(
            self.request.user, actions.RESOURCE, actions.STEPS, {h.organization_id for h in rows}
        )
        context = {**self.get_serializer_context(), "roles": roles}
        return HazardSerializer(rows if many else hazards, many=many, context=context).data

    def _fresh(self, pk: int) -> dict:
        return self._data(self.get_queryset().get(pk=pk), many=False)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self._data(page, many=True))
        return Response(self._data(list(queryset), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data(self.get_object(), many=False))

    @extend_schema(
        summary=_("History of a hazard"),
        description=_("Every step, oldest first: who, when, from which state to which, why."),
        responses={200: EventSerializer(many=True), **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        hazard = self.get_object()
        events = Event.objects.filter(hazard=hazard).select_related("actor").order_by("at", "id")
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(
        summary=_("Rectification ledger (整改台账)"),
        description=_(
            "The filtered list as an xlsx workbook, the same as the list page exports; "
            "takes the list's filters."
        ),
        filters=True,
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("The workbook.")),
            202: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=_(
                    "Too many rows to answer at once: a background job was started; the body "
                    "is the job, ``Location`` its URL, where the file appears when ready."
                ),
            ),
            **ERROR_RESPONSES,
        },
    )
    def ledger(self, request):
        """``GET /api/v1/hazards/ledger.xlsx`` (routed in ``anpai.api_urls``, without a slash)."""
        # The list's filters on the bare restricted rows: the ledger loads its own columns.
        rows = self.filter_queryset(Hazard.objects.restrict(request.user, access.VIEW))
        return stream_ledger(rows, request.user, request)

    # ------------------------------------------------------------ writing

    def create(self, request, *args, **kwargs):
        serializer = ReportSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            hazard = actions.report(by=request.user, **serializer.validated_data)
        except Invalid as exc:
            # The evidence check names its field "file"; here the files came as "photos".
            if "file" in exc.fields:
                exc.fields["photos"] = exc.fields.pop("file")
            raise
        return Response(self._fresh(hazard.pk), status=status.HTTP_201_CREATED)

    def _step(self, request, serializer_class, call):
        """Gate (404/403), parse (400), then run the step; 409 answers the hazard as it is now."""
        hazard = self.get_object()
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            call(hazard.pk, dict(serializer.validated_data))
        except Conflict as exc:
            body = {**exc.as_dict(), "hazard": self._fresh(hazard.pk)}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(self._fresh(hazard.pk))

    @_document(_("Grade a hazard"), GradeSerializer, _("Confirm or change the level."))
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        return self._step(
            request, GradeSerializer, lambda h, d: actions.grade(h, by=request.user, **d)
        )

    @_document(
        _("Assign the rectification (五落实)"),
        AssignSerializer,
        _(
            "Responsible person, measures, funds, deadline and contingency plan are all "
            "required; a major hazard also needs the six parts of its governance plan."
        ),
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        def call(h, d):
            plan = d.pop("plan", None) or {}
            return actions.assign(h, by=request.user, plan=dict(plan), **d)

        return self._step(request, AssignSerializer, call)

    @_document(
        _("Report the rectification done"),
        RectifySerializer,
        _("Multipart with one or more after-photos, or JSON when they were attached already."),
    )
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        return self._step(
            request, RectifySerializer, lambda h, d: actions.rectify(h, by=request.user, **d)
        )

    @_document(
        _("Accept or reject the rectification"),
        VerifySerializer,
        _(
            "General hazards: the enterprise's principal or safety manager, or government; "
            "major hazards: township staff only. Nobody accepts their own rectification."
        ),
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step(
            request, VerifySerializer, lambda h, d: actions.verify(h, by=request.user, **d)
        )

    @_document(
        _("Void a report"), VoidSerializer, _("Township staff or the reporter, with a reason.")
    )
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        return self._step(
            request, VoidSerializer, lambda h, d: actions.void(h, by=request.user, **d)
        )

    @_document(
        _("Request or decide a deadline extension"),
        ExtendSerializer,
        _(
            "Send ``deadline`` and ``reason`` to ask for a later deadline; township staff "
            "send ``decision`` (approve or refuse) and ``comment`` to decide."
        ),
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        def call(h, d):
            if "decision" in d:
                return actions.decide_extension(
                    h,
                    by=request.user,
                    approve=d["decision"] == "approve",
                    comment=d["comment"],
                    version=d.get("version"),
                )
            return actions.request_extension(
                h,
                by=request.user,
                deadline=d["deadline"],
                reason=d["reason"],
                version=d.get("version"),
            )

        return self._step(request, ExtendSerializer, call)

    @_document(
        _("Place a major hazard under listed supervision (挂牌督办)"),
        SuperviseSerializer,
    )
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        return self._step(
            request, SuperviseSerializer, lambda h, d: actions.supervise(h, by=request.user, **d)
        )

    @extend_schema(
        summary=_("Add evidence"),
        description=_(
            "Multipart ``file`` (a photo: JPEG, PNG, WebP, HEIC; or a PDF document) and "
            "``kind`` (before, after, document). Checked by content."
        ),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        hazard = self.get_object()
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            attachment = actions.attach(hazard.pk, by=request.user, **serializer.validated_data)
        except Conflict as exc:
            body = {**exc.as_dict(), "hazard": self._fresh(hazard.pk)}
            return Response(body, status=status.HTTP_409_CONFLICT)
        data = AttachmentSerializer(attachment, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)
