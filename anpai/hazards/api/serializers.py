"""Hazard API serializers: the hazard as read, and one input serializer per step.

Input serializers only parse and type-check: the action functions in
:mod:`anpai.hazards.actions` decide what is required, in their own order
(scope, role, state, then input), so the API answers exactly as the pages do.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anpai.core import access
from anpai.hazards import actions
from anpai.hazards.choices import AttachmentKind, HazardLevel, HazardSource
from anpai.hazards.models import Attachment, Category, Event, Extension, Hazard
from anpai.orgs.models import Industry, Organization
from anpai.people.models import User
from anpai.risks.models import RiskPoint

VERSION_HELP = _(
    "The hazard's version when you loaded it; if it changed meanwhile the answer is 409."
)


class AttachmentSerializer(serializers.ModelSerializer):
    """One piece of evidence; the URLs are the download views that check scope."""

    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Attachment
        fields = [
            "id", "kind", "kind_display", "content_type", "size", "original_name",
            "uploaded_by", "uploaded_at", "url", "thumbnail_url",
        ]  # fmt: skip
        read_only_fields = fields

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Attachment) -> str:
        # Never the storage URL: the download view checks the reader's scope.
        return self._absolute(reverse("hazards:attachment", args=[obj.pk]))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_thumbnail_url(self, obj: Attachment) -> str | None:
        if not obj.thumbnail:
            return None
        return self._absolute(reverse("hazards:thumb", args=[obj.pk]))


class ExtensionSerializer(serializers.ModelSerializer):
    """A deadline extension request and its decision."""

    class Meta:
        model = Extension
        fields = [
            "id", "state", "current_deadline", "requested_deadline", "reason", "requested_by",
            "requested_at", "decided_by", "decided_at", "decision_note",
        ]  # fmt: skip
        read_only_fields = fields


class UserRefSerializer(serializers.Serializer):
    """A person as the history shows them: id and name."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)


class EventSerializer(serializers.ModelSerializer):
    """One step of the history: who, when, from which state to which, why."""

    actor = UserRefSerializer(read_only=True, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id", "kind", "kind_display", "from_state", "to_state", "actor", "at", "comment",
            "data",
        ]  # fmt: skip
        read_only_fields = fields


def _name(field: str) -> serializers.CharField:
    return serializers.CharField(
        source=f"{field}.get_full_name", read_only=True, allow_null=True, default=None
    )


class HazardSerializer(serializers.ModelSerializer):
    """A hazard as every reader sees it, with the steps the requesting user may take now."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    region = serializers.CharField(source="organization.region.code", read_only=True)
    region_name = serializers.CharField(source="organization.region.name", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    industry: serializers.SlugRelatedField[Industry] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    overdue_days = serializers.IntegerField(read_only=True)
    reported_by_name = _name("reported_by")
    rectified_by_name = _name("rectified_by")
    verified_by_name = _name("verified_by")
    supervisor_name = _name("supervisor")
    available_actions = serializers.SerializerMethodField(
        help_text=_("The steps you may take on this hazard now.")
    )
    attachments = AttachmentSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    risk_point = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The risk point it was found at, if any.")
    )
    risk_point_name = serializers.CharField(
        source="risk_point.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Hazard
        fields = [
            "id", "number", "organization", "organization_name", "region", "region_name",
            "place", "title", "description", "category", "category_name", "industry", "level",
            "level_display", "source", "source_display", "finder", "found_at", "clause",
            "risk_point", "risk_point_name", "reported_by", "reported_by_name", "state",
            "state_display", "is_overdue", "overdue_days",
            # 五落实
            "responsible_name", "responsible_user", "measures", "funds", "deadline",
            "original_deadline", "contingency", "assigned_at",
            # 治理方案 (major hazards)
            *actions.PLAN_FIELDS, "reported_up_at",
            "rectification", "actual_cost", "rectified_at", "rectified_by", "rectified_by_name",
            "verified_at", "verified_by", "verified_by_name", "void_reason",
            # 挂牌督办
            "is_supervised", "supervisor", "supervisor_name", "supervise_deadline",
            "supervise_note",
            "version", "available_actions", "created_at", "updated_at", "attachments",
            "extensions",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(actions.STEPS)))
    )
    def get_available_actions(self, obj: Hazard) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        roles = self.context.get("roles", {}).get(obj.organization_id)
        return sorted(actions.available_actions(obj, request.user, roles_by_action=roles))


# ---------------------------------------------------------------- input


@extend_schema_field(OpenApiTypes.INT)
class _ReportableOrganizationField(serializers.PrimaryKeyRelatedField):
    """An organisation the requesting user may report hazards for; others do not exist."""

    def get_queryset(self):
        user = self.context["request"].user
        q = access.scope_q(user, actions.RESOURCE, access.ADD, org_path="")
        return Organization.objects.filter(q) if q is not None else Organization.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class _VisibleRiskPointField(serializers.PrimaryKeyRelatedField):
    """An active risk point the requesting user may see; others do not exist."""

    def get_queryset(self):
        return RiskPoint.objects.restrict(self.context["request"].user, access.VIEW).active()


class ReportSerializer(serializers.Serializer):
    """Report a hazard (JSON, or multipart with ``photos``)."""

    organization = _ReportableOrganizationField(
        required=False,
        allow_null=True,
        help_text=_("Organisation id; an enterprise's own staff may leave it out."),
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(is_active=True),
        help_text=_("Category code, e.g. electrical, gas, fire_facilities."),
    )
    industry = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Industry.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_("Industry code; left out, the organisation's industries apply."),
    )
    level = serializers.ChoiceField(choices=HazardLevel.choices, default=HazardLevel.GENERAL)
    source = serializers.ChoiceField(
        choices=HazardSource.choices, default=HazardSource.SELF_INSPECTION
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    finder = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    found_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    clause = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text=_("Photos.")
    )
    risk_point = _VisibleRiskPointField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of the risk point it was found at, one of the organisation's."),
    )

    def validate(self, attrs):
        if attrs.get("organization") is None:
            # An enterprise's staff report in their own organisation and need not name it;
            # government staff report about others, so they always say which.
            own = {
                m.organization
                for m in access.memberships(self.context["request"].user)
                if access.ROLE_SCOPE.get(m.role) == access.OWN
            }
            reportable = self.fields["organization"].get_queryset()
            allowed = [o for o in own if reportable.filter(pk=o.pk).exists()]
            if len(allowed) != 1:
                raise serializers.ValidationError(
                    {"organization": [_("Choose the organisation the hazard was found in.")]}
                )
            attrs["organization"] = allowed[0]
        return attrs


class GradeSerializer(serializers.Serializer):
    """Confirm or change the level."""

    level = serializers.ChoiceField(choices=HazardLevel.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    clause = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)


class PlanSerializer(serializers.Serializer):
    """治理方案: required for a major hazard, all six parts."""

    plan_goals = serializers.CharField(required=False, allow_blank=True, default="")
    plan_methods = serializers.CharField(required=False, allow_blank=True, default="")
    plan_resources = serializers.CharField(required=False, allow_blank=True, default="")
    plan_organization = serializers.CharField(required=False, allow_blank=True, default="")
    plan_schedule = serializers.CharField(required=False, allow_blank=True, default="")
    plan_safety = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    """五落实: all five are required (the action says which are missing)."""

    responsible_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    responsible_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The responsible person's account, if they have one (they get reminders)."),
    )
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    funds = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    contingency = serializers.CharField(required=False, allow_blank=True, default="")
    plan = PlanSerializer(required=False, default=dict)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)


class RectifySerializer(serializers.Serializer):
    """What was done; at least one after-photo, sent here or attached before."""

    rectification = serializers.CharField(required=False, allow_blank=True, default="")
    actual_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)


class VerifySerializer(serializers.Serializer):
    """Accept (closed, 销号) or reject with a reason (back to rectifying)."""

    accepted = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)


class VoidSerializer(serializers.Serializer):
    """Void a report, with the reason."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)


class ExtendSerializer(serializers.Serializer):
    """Request a later deadline (``deadline`` + ``reason``), or decide a pending request
    (township staff: ``decision`` + ``comment``)."""

    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    decision = serializers.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], required=False
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)


class SuperviseSerializer(serializers.Serializer):
    """挂牌督办: the supervising person, the deadline, the requirements."""

    supervisor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)


class AttachmentUploadSerializer(serializers.Serializer):
    """One file of evidence (multipart)."""

    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
