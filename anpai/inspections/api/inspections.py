"""Inspections API: list and start, one inspection with its answers, answering an item,
submitting. The views parse input and call :mod:`anpai.inspections.actions`.

Errors as for hazards: outside your scope 404, your role may not 403, a
submitted inspection (or a stale ``version``) 409, bad input 400 per field.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from anpai.core import access
from anpai.core.api import (
    ERROR_RESPONSES,
    WRITE_ERROR_RESPONSES,
    ErrorSerializer,
    RestrictedViewSetMixin,
)
from anpai.hazards.choices import HazardLevel
from anpai.inspections import actions
from anpai.inspections.choices import AnswerResult, Cadence, InspectionKind
from anpai.inspections.forms import InspectionFilterSet
from anpai.inspections.models import (
    Answer,
    AnswerPhoto,
    DutyPeriod,
    Inspection,
    RoundAssignment,
)
from anpai.orgs.models import Organization
from anpai.people.models import User

BOTH = ["application/json", "multipart/form-data"]
VERSION_HELP = _(
    "The inspection's version when you loaded it; if it changed meanwhile the answer is 409."
)


def _absolute(context, url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


class AnswerPhotoSerializer(serializers.ModelSerializer):
    """A photo of an answer; the URLs are the views that check the reader's scope."""

    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = AnswerPhoto
        fields = ["id", "original_name", "uploaded_at", "url", "thumbnail_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: AnswerPhoto) -> str:
        return _absolute(self.context, reverse("inspections:photo", args=[obj.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_thumbnail_url(self, obj: AnswerPhoto) -> str:
        return _absolute(self.context, reverse("inspections:photo_thumb", args=[obj.pk]))


class AnswerSerializer(serializers.ModelSerializer):
    """The answer to one item; a fail carries the hazard it drafts (or became)."""

    item = serializers.IntegerField(source="item_id", read_only=True)
    order = serializers.IntegerField(source="item.order", read_only=True)
    section = serializers.CharField(source="item.section", read_only=True)
    question = serializers.CharField(source="item.question", read_only=True)
    clause = serializers.SerializerMethodField(
        help_text=_("“<standard code>#<clause number>”, or null.")
    )
    clause_makes_major = serializers.SerializerMethodField()
    allow_na = serializers.BooleanField(source="item.allow_na", read_only=True)
    photo_required_on_fail = serializers.BooleanField(
        source="item.photo_required_on_fail", read_only=True
    )
    hazard_number = serializers.CharField(
        source="hazard.number", read_only=True, allow_null=True, default=None
    )
    photos = AnswerPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Answer
        fields = [
            "id", "item", "order", "section", "question", "clause", "clause_makes_major",
            "allow_na", "photo_required_on_fail", "result", "note", "hazard_title",
            "hazard_level", "merged_into", "hazard", "hazard_number", "answered_at", "photos",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_clause(self, obj: Answer) -> str | None:
        clause = obj.item.clause
        return f"{clause.standard.code}#{clause.number}" if clause else None

    def get_clause_makes_major(self, obj: Answer) -> bool:
        return bool(obj.item.clause and obj.item.clause.makes_major)


class InspectionSerializer(serializers.ModelSerializer):
    """An inspection as lists show it, with its progress."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    template = serializers.CharField(source="template.code", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    template_name = serializers.CharField(source="template.name", read_only=True)
    lead_name = serializers.CharField(source="lead.get_full_name", read_only=True)
    items = serializers.IntegerField(source="n_items", read_only=True)
    answered = serializers.IntegerField(source="n_answered", read_only=True)
    failed = serializers.IntegerField(source="n_fail", read_only=True)
    hazards = serializers.IntegerField(source="n_hazards", read_only=True)
    signed = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id", "organization", "organization_name", "kind", "kind_display", "cadence",
            "template", "template_version", "template_name", "date", "lead", "lead_name",
            "inspectors", "departments", "state", "state_display", "summary", "signer_name",
            "signed", "submitted_at", "period", "assignment", "version", "items", "answered",
            "failed", "hazards", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_signed(self, obj: Inspection) -> bool:
        return bool(obj.signature)


class InspectionDetailSerializer(InspectionSerializer):
    """One inspection with its answers."""

    answers = AnswerSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "answers"]
        read_only_fields = fields


class StartSerializer(serializers.Serializer):
    """Start an inspection; ``template`` is a checklist code (its current version is used)."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    template = serializers.CharField(help_text=_("Checklist code, e.g. campaign-2023."))
    date = serializers.DateField(required=False)
    cadence = serializers.ChoiceField(choices=Cadence.choices, required=False, allow_blank=True)
    inspectors = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), many=True, required=False
    )
    period = serializers.PrimaryKeyRelatedField(
        queryset=DutyPeriod.objects.select_related("duty"), required=False, allow_null=True
    )
    assignment = serializers.PrimaryKeyRelatedField(
        queryset=RoundAssignment.objects.all(), required=False, allow_null=True
    )
    summary = serializers.CharField(required=False, allow_blank=True)


class AnswerInputSerializer(serializers.Serializer):
    """Answer one item (JSON, or multipart with ``photos``)."""

    item = serializers.IntegerField(help_text=_("The checklist item's id."))
    result = serializers.ChoiceField(choices=AnswerResult.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    hazard_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    hazard_level = serializers.ChoiceField(choices=HazardLevel.choices, required=False)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, help_text=_("Photos (multipart).")
    )
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class SubmitSerializer(serializers.Serializer):
    """Submit; optionally with the inspected party's signature (a PNG data URL)."""

    summary = serializers.CharField(required=False, allow_blank=True)
    signer_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    signature = serializers.CharField(
        required=False, allow_blank=True, help_text=_("data:image/png;base64,… from a canvas.")
    )
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=_("The inspection was submitted (read-only), or changed since your version."),
)
STEP_RESPONSES = {200: InspectionDetailSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT}


@extend_schema(tags=["inspections"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List inspections"),
        description=_("Inspections within your scope, filtered as on the list page."),
        responses={200: InspectionSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One inspection with its answers"),
        description=_("404 when the inspection is outside your scope."),
        responses={200: InspectionDetailSerializer, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary=_("Start an inspection"),
        description=_(
            "Self-inspection by the enterprise's own staff; township, department, joint and "
            "unannounced inspections by government officers; village patrols by village grid "
            "officers. The checklist's current version is used; one blank answer per item."
        ),
        request=StartSerializer,
        responses={201: InspectionDetailSerializer, **WRITE_ERROR_RESPONSES},
    ),
)
class InspectionViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Inspections within the user's scope; answering and submitting a draft."""

    resource = actions.RESOURCE
    queryset = Inspection.objects.none()
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions = {
        **RestrictedViewSetMixin.action_permissions,
        "answers": access.CHANGE,
        "submit": access.CHANGE,
    }

    def get_queryset(self):
        qs = (
            Inspection.objects.restrict(self.request.user, access.VIEW)
            .select_related("organization", "template", "lead")
            .prefetch_related("inspectors", "departments")
            .annotate(
                n_items=Count("answers", distinct=True),
                n_answered=Count("answers", filter=~Q(answers__result=""), distinct=True),
                n_fail=Count("answers", filter=Q(answers__result=AnswerResult.FAIL), distinct=True),
                n_hazards=Count("answers__hazard", distinct=True),
            )
            .order_by("-date", "-id")
        )
        if self.action != "list":
            qs = qs.prefetch_related(
                Prefetch(
                    "answers",
                    queryset=Answer.objects.select_related("item__clause__standard", "hazard")
                    .prefetch_related("photos")
                    .order_by("item__order", "item_id"),
                )
            )
        return qs

    def get_serializer_class(self):
        return InspectionSerializer if self.action == "list" else InspectionDetailSerializer

    def _fresh(self, pk: int) -> dict:
        obj = self.get_queryset().get(pk=pk)
        return InspectionDetailSerializer(obj, context=self.get_serializer_context()).data

    def _editable(self) -> Inspection:
        """404 outside the scope, 403 for a role that may not answer this kind of inspection."""
        insp = self.get_object()
        if not actions.may_edit(insp, self.request.user):
            raise exceptions.PermissionDenied(
                _("Only the inspectors of this inspection may change it.")
            )
        return insp

    def create(self, request, *args, **kwargs):
        serializer = StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        insp = actions.start(
            by=request.user,
            organization=data.pop("organization"),
            kind=data.pop("kind"),
            template=data.pop("template"),
            date=data.pop("date", None),
            inspectors=data.pop("inspectors", []),
            departments=data.pop("departments", []),
            cadence=data.pop("cadence", "") or "",
            period=data.pop("period", None),
            assignment=data.pop("assignment", None),
            summary=data.pop("summary", ""),
        )
        return Response(self._fresh(insp.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Answer an item"),
        description=_(
            "Saves one answer as the inspector goes. A ``fail`` drafts its hazard: the title "
            "defaults to the question, the level to major when the item's clause makes it so "
            "(it cannot then be general). Multipart adds ``photos``. 409 once submitted."
        ),
        request=dict.fromkeys(BOTH, AnswerInputSerializer),
        responses={200: AnswerSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        insp = self._editable()
        serializer = AnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row = actions.answer(
            insp,
            data["item"],
            by=request.user,
            result=data["result"],
            note=data.get("note"),
            photos=data.get("photos") or [],
            hazard_title=data.get("hazard_title"),
            hazard_level=data.get("hazard_level"),
            version=data.get("version"),
        )
        row = (
            Answer.objects.select_related("item__clause__standard", "hazard")
            .prefetch_related("photos")
            .get(pk=row.pk)
        )
        return Response(AnswerSerializer(row, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Submit an inspection"),
        description=_(
            "Every item must be answered and every failed item that needs a photo must have "
            "one. Each failed item (merged ones together) becomes a hazard in ``reported`` "
            "state; the inspection becomes read-only. Send ``signer_name`` and ``signature`` "
            "to sign in the same call."
        ),
        request=SubmitSerializer,
        responses=STEP_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        insp = self._editable()
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = data.get("version")
        with transaction.atomic():  # signed and submitted, or neither
            if data.get("signature") or data.get("signer_name"):
                signed = actions.sign(
                    insp,
                    by=request.user,
                    signer_name=data.get("signer_name", ""),
                    png_data_url=data.get("signature", ""),
                    version=version,
                )
                version = signed.version if version is not None else None
            actions.submit(insp, by=request.user, summary=data.get("summary"), version=version)
        return Response(self._fresh(insp.pk))
