"""Serializers of the commitments and self-inspection reports API.

Input is only parsed and type-checked here: :mod:`anpai.enterprise.actions`
decides what is required and allowed (scope, role, state, the fields), so the
API answers as the pages do.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from anpai.enterprise import actions
from anpai.enterprise.choices import ReportState
from anpai.enterprise.models import Commitment, ReportEvent, SelfInspectionReport

VERSION_HELP = _("The report's version when you loaded it; if it changed meanwhile: 409.")


def _person(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class CommitmentSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    duties = serializers.SerializerMethodField(
        help_text=_("The duties committed to, numbered, with their text.")
    )
    signature_url = serializers.SerializerMethodField(
        help_text=_("The signature image, on the page (signed-in browser) side.")
    )
    pdf_url = serializers.SerializerMethodField(help_text=_("The printed commitment (API)."))

    class Meta:
        model = Commitment
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "duties",
            "pledge",
            "extra",
            "signer_name",
            "signed_at",
            "signature_url",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_duties(self, obj: Commitment) -> list[dict[str, Any]]:
        texts = {d["code"]: d["text"] for d in actions.duties()}
        return [
            {"number": i, "code": code, "text": texts.get(code, code)}
            for i, code in enumerate(obj.duties, start=1)
        ]

    def get_signature_url(self, obj: Commitment) -> str:
        return reverse("enterprise:commitment_signature", args=[obj.pk])

    def get_pdf_url(self, obj: Commitment) -> str:
        return reverse("api:commitment-pdf", args=[obj.pk])


class CommitmentInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(
        required=False, help_text=_("Organisation id; may be left out when you sign for one.")
    )
    year = serializers.IntegerField(required=False, help_text=_("Defaults to this year."))
    duties = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("The codes of the seven duties, each of which must be ticked."),
    )
    extra = serializers.CharField(required=False, allow_blank=True, default="")
    signer_name = serializers.CharField(required=False, allow_blank=True, default="")
    signature = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The drawn signature: a PNG, base64 (a data: URL or the bare base64)."),
    )

    def validate_signature(self, value: str) -> str:
        value = (value or "").strip()
        if value and not value.startswith("data:"):
            value = "data:image/png;base64," + value
        return value


class ReportEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ReportEvent
        fields = ["kind", "from_state", "to_state", "actor", "at", "comment"]
        read_only_fields = fields

    def get_actor(self, obj: ReportEvent) -> str | None:
        return _person(obj.actor)


class ReportListSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text=_("draft, submitted, returned or filed.")
    )

    class Meta:
        model = SelfInspectionReport
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "title",
            "state",
            "filing_number",
            "submitted_at",
            "filed_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class ReportSerializer(ReportListSerializer):
    events = ReportEventSerializer(many=True, read_only=True)
    filed_by = serializers.SerializerMethodField()
    attachment_url = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text=_("The steps you may take now: edit, submit, return, file.")
    )

    class Meta(ReportListSerializer.Meta):
        fields = [
            *ReportListSerializer.Meta.fields,
            "overview",
            "problems",
            "rectification",
            "next_steps",
            "attachment_url",
            "filed_by",
            "events",
            "actions",
        ]
        read_only_fields = fields

    def get_filed_by(self, obj) -> str | None:
        return _person(obj.filed_by)

    def get_attachment_url(self, obj) -> str | None:
        if not obj.attachment:
            return None
        return reverse("api:self-inspection-report-attachment", args=[obj.pk])

    def get_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return actions.available_actions(obj, request.user) if request else []


class ReportInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(required=False)
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    year = serializers.CharField(required=False, allow_blank=True)
    overview = serializers.CharField(required=False, allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True)
    rectification = serializers.CharField(required=False, allow_blank=True)
    next_steps = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in actions.REPORT_FIELDS}


class ReportStepSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class ReportReturnSerializer(ReportStepSerializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("What must change (required).")
    )


class ReportFileSerializer(ReportStepSerializer):
    filing_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Leave out to give the next number of the township's filing series."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


STATE_VALUES = [value for value, _label in ReportState.choices]
