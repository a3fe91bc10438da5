"""Enforcement API serializers: cases as listed and read in full (measures, documents
with their download URLs, reviews, history and the steps the caller may take),
official documents, reviews, accountability records and suggestions, and one input
per step.

Input is only parsed and type-checked here: :mod:`anpai.enforcement.actions`
decides what is required and allowed (scope, role, state, then the input), so the
API answers as the pages do.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from anpai.core import access
from anpai.enforcement import actions
from anpai.enforcement.choices import (
    AccountabilityKind,
    CaseState,
    DocumentKind,
    EventKind,
    Ground,
    MeasureKind,
    ReferralTo,
    ReviewState,
)
from anpai.enforcement.models import (
    AccountabilityFile,
    AccountabilityRecord,
    Case,
    CaseEvent,
    Document,
    Measure,
    Review,
)
from anpai.orgs.models import Organization
from anpai.people.models import User

ACTION_NAMES = (
    "edit",
    "record",
    "order",
    "suspend",
    "close_down",
    "fine",
    "refer",
    "review",
    "close",
)
VERSION_HELP = _(
    "The case's version when you loaded it; if it changed meanwhile the answer is 409."
)
ISSUED_ON_HELP = _("Date of issue; today when left out; not in the future.")
ITEMS_HELP = _(
    "The problems to put right, one per entry; left out, the case's inspection's failed "
    "items and its hazards."
)


def _person(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


# Read-only codes are plain strings with their values in the description: "state" and
# "kind" appear in several components (and apps), and an enum of each would collide.
def _code(values, help_text: Any = "", **kwargs: Any):
    listed = ", ".join(values)
    text = f"{help_text} ({listed})" if help_text else listed
    return serializers.CharField(read_only=True, help_text=text, **kwargs)


def _absolute(context: dict[str, Any], url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


def download_urls(context: dict[str, Any], pk: int) -> dict[str, str]:
    return {
        "pdf_url": _absolute(context, reverse("api:document-pdf", args=[pk])),
        "docx_url": _absolute(context, reverse("api:document-docx", args=[pk])),
    }


# ---------------------------------------------------------------- documents


class _DocumentLinks(serializers.ModelSerializer):
    kind = _code(DocumentKind.values)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    title = serializers.CharField(read_only=True)
    cancelled = serializers.BooleanField(source="is_cancelled", read_only=True)
    pdf_url = serializers.SerializerMethodField(help_text=_("The printed document as PDF."))
    docx_url = serializers.SerializerMethodField(help_text=_("The document as a Word file."))

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, obj: Document) -> str:
        return download_urls(self.context, obj.pk)["pdf_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_docx_url(self, obj: Document) -> str:
        return download_urls(self.context, obj.pk)["docx_url"]


class CaseDocumentSerializer(_DocumentLinks):
    """A document of the case, with its download URLs."""

    class Meta:
        model = Document
        fields = [
            "id", "kind", "kind_display", "number", "title", "issued_on", "cancelled",
            "cancelled_at", "cancel_reason", "pdf_url", "docx_url",
        ]  # fmt: skip
        read_only_fields = fields


class OfficialDocumentSerializer(_DocumentLinks):
    """An official document (执法文书) as issued: its number and its frozen content.

    A cancelled document keeps its number; ``cancel_reason`` says why.
    """

    case_number = serializers.CharField(source="case.number", read_only=True)
    organization = serializers.IntegerField(source="case.organization_id", read_only=True)
    organization_name = serializers.CharField(source="case.organization.name", read_only=True)
    issued_by_name = serializers.SerializerMethodField()
    content = serializers.DictField(
        read_only=True,
        help_text=_(
            "Everything the printed document shows, frozen when it was issued: title, "
            "number, authority, addressee, facts, grounds, basis, requirement, items, "
            "deadline, receipt; a record also place, inspectors and summary; a review "
            "opinion the order it reviews, findings and opinion."
        ),
    )

    class Meta:
        model = Document
        fields = [
            "id", "number", "kind", "kind_display", "title", "year", "serial", "case",
            "case_number", "organization", "organization_name", "issued_on", "issued_by",
            "issued_by_name", "cancelled", "cancelled_at", "cancel_reason", "content",
            "pdf_url", "docx_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_issued_by_name(self, obj: Document) -> str | None:
        return _person(obj.issued_by)


# ---------------------------------------------------------------- cases


class CaseMeasureSerializer(serializers.ModelSerializer):
    """A measure taken: deadline order, suspension, closure, fine or referral."""

    kind = _code(MeasureKind.values)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    referral_to = _code(ReferralTo.values, allow_blank=True)
    referral_to_display = serializers.CharField(source="get_referral_to_display", read_only=True)
    document_number = serializers.CharField(
        source="document.number", read_only=True, allow_null=True, default=None
    )
    in_force = serializers.SerializerMethodField(
        help_text=_("Not lifted, and its document not cancelled.")
    )

    class Meta:
        model = Measure
        fields = [
            "id", "kind", "kind_display", "document", "document_number", "taken_on",
            "deadline", "amount", "referral_to", "referral_to_display", "referral_body",
            "note", "lifted_at", "in_force",
        ]  # fmt: skip
        read_only_fields = fields

    def get_in_force(self, obj: Measure) -> bool:
        cancelled = obj.document is not None and obj.document.is_cancelled
        return obj.lifted_at is None and not cancelled


class CaseReviewSerializer(serializers.ModelSerializer):
    """A review (复查) of the case."""

    state = _code(ReviewState.values)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    order_number = serializers.SerializerMethodField(
        help_text=_("The number of the order or decision it reviews.")
    )
    reviewer_name = serializers.SerializerMethodField()
    document_number = serializers.CharField(
        source="document.number", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Review
        fields = [
            "id", "measure", "order_number", "deadline", "due_on", "state", "state_display",
            "is_overdue", "reviewed_on", "reviewer", "reviewer_name", "findings", "document",
            "document_number",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_overdue(self, obj: Review) -> bool:
        return obj.is_overdue()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_order_number(self, obj: Review) -> str | None:
        document = obj.measure.document
        return document.number if document is not None else None

    def get_reviewer_name(self, obj: Review) -> str | None:
        return _person(obj.reviewer)


class CaseEventSerializer(serializers.ModelSerializer):
    """One step of the case's history."""

    kind = _code(EventKind.values)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id", "kind", "kind_display", "from_state", "to_state", "actor", "actor_name",
            "at", "comment", "data",
        ]  # fmt: skip
        read_only_fields = fields

    def get_actor_name(self, obj: CaseEvent) -> str | None:
        return _person(obj.actor)


class CaseListSerializer(serializers.ModelSerializer):
    """A case as the list shows it."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    organization_status = serializers.CharField(
        source="organization.status",
        read_only=True,
        help_text=_("The organisation's status now (operating, suspended, closed…)."),
    )
    state = _code(CaseState.values)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    grounds = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=format_lazy("{} ({})", _("Ground codes."), ", ".join(Ground.values)),
    )
    ground_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    hazards = serializers.SerializerMethodField(help_text=_("Ids of the linked hazards."))
    opened_by_name = serializers.SerializerMethodField()
    next_review_due = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The earliest due review, if any.")
    )
    has_overdue_review = serializers.BooleanField(
        read_only=True, help_text=_("A review is past its due date and not yet recorded.")
    )

    class Meta:
        model = Case
        fields = [
            "id", "number", "title", "organization", "organization_name",
            "organization_status", "township", "grounds", "ground_labels", "inspection",
            "hazards", "is_joint", "is_unannounced", "state", "state_display", "opened_on",
            "opened_by", "opened_by_name", "escalated_at", "closed_at", "conclusion",
            "next_review_due", "has_overdue_review", "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_hazards(self, obj: Case) -> list[int]:
        return sorted(h.pk for h in obj.hazards.all())

    def get_opened_by_name(self, obj: Case) -> str | None:
        return _person(obj.opened_by)


class CaseSerializer(CaseListSerializer):
    """A case in full: facts, measures, documents (with download URLs), reviews,
    history, and the steps you may take now."""

    measures = CaseMeasureSerializer(many=True, read_only=True)
    documents = CaseDocumentSerializer(
        many=True, read_only=True, help_text=_("Documents in the order they were issued.")
    )
    reviews = CaseReviewSerializer(many=True, read_only=True)
    events = CaseEventSerializer(
        many=True, read_only=True, help_text=_("The history, oldest first.")
    )
    available_actions = serializers.SerializerMethodField(
        help_text=_("The steps you may take on this case now (the step's own rules still decide).")
    )

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "facts", "created_at", "measures", "documents", "reviews", "events",
            "available_actions",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=list(ACTION_NAMES)))
    )
    def get_available_actions(self, obj: Case) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return actions.available_actions(obj, request.user)


# ---------------------------------------------------------------- reviews


class EnforcementReviewSerializer(CaseReviewSerializer):
    """A review (复查) with its case: due after the rectification deadline."""

    case_number = serializers.CharField(source="case.number", read_only=True)
    case_title = serializers.CharField(source="case.title", read_only=True)
    case_state = _code(CaseState.values, source="case.state")
    organization = serializers.IntegerField(source="case.organization_id", read_only=True)
    organization_name = serializers.CharField(source="case.organization.name", read_only=True)
    measure_kind = _code(MeasureKind.values, source="measure.kind")

    class Meta(CaseReviewSerializer.Meta):
        fields = [
            "id", "case", "case_number", "case_title", "case_state", "organization",
            "organization_name", "measure", "measure_kind",
            *CaseReviewSerializer.Meta.fields[2:],
        ]  # fmt: skip
        read_only_fields = fields


# ---------------------------------------------------------------- accountability


class AccountabilityFileSerializer(serializers.ModelSerializer):
    """An attached document; the URL is a download that checks the reader's scope."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = AccountabilityFile
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: AccountabilityFile) -> str:
        return _absolute(self.context, reverse("api:accountability-file", args=[obj.pk]))


class AccountabilityRecordSerializer(serializers.ModelSerializer):
    """A record of holding an organisation or a person to account (追责问责)."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    kind = _code(AccountabilityKind.values)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    referral_to = _code(ReferralTo.values, allow_blank=True)
    referral_to_display = serializers.CharField(source="get_referral_to_display", read_only=True)
    hazards = serializers.SerializerMethodField(help_text=_("Ids of the linked hazards."))
    cases = serializers.SerializerMethodField(help_text=_("Ids of the linked cases."))
    created_by_name = serializers.SerializerMethodField()
    files = AccountabilityFileSerializer(many=True, read_only=True)

    class Meta:
        model = AccountabilityRecord
        fields = [
            "id", "organization", "organization_name", "person_name", "person_title", "kind",
            "kind_display", "date", "reason", "referral_to", "referral_to_display", "outcome",
            "hazards", "cases", "created_by", "created_by_name", "created_at", "files",
        ]  # fmt: skip
        read_only_fields = fields

    def get_hazards(self, obj: AccountabilityRecord) -> list[int]:
        return sorted(h.pk for h in obj.hazards.all())

    def get_cases(self, obj: AccountabilityRecord) -> list[int]:
        return sorted(c.pk for c in obj.cases.all())

    def get_created_by_name(self, obj: AccountabilityRecord) -> str | None:
        return _person(obj.created_by)


class AccountabilitySuggestionSerializer(serializers.Serializer):
    """Something that may call for accountability — for people to decide on."""

    reason = _code(("major_overdue", "order_ignored"))
    label = serializers.CharField(read_only=True)
    organization = serializers.IntegerField(source="organization.pk", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    hazard = serializers.IntegerField(
        source="hazard.pk", read_only=True, allow_null=True, default=None
    )
    hazard_number = serializers.CharField(
        source="hazard.number", read_only=True, allow_null=True, default=None
    )
    hazard_title = serializers.CharField(
        source="hazard.title", read_only=True, allow_null=True, default=None
    )
    case = serializers.IntegerField(source="case.pk", read_only=True, allow_null=True, default=None)
    case_number = serializers.CharField(
        source="case.number", read_only=True, allow_null=True, default=None
    )
    since = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The missed deadline, or the review's date.")
    )


# ---------------------------------------------------------------- input


def _scoped_org_field(resource: str, help_text: Any):
    @extend_schema_field(OpenApiTypes.INT)
    class _Field(serializers.PrimaryKeyRelatedField):
        def get_queryset(self):
            user = self.context["request"].user
            q = access.scope_q(user, resource, access.ADD, org_path="")
            return Organization.objects.filter(q) if q is not None else Organization.objects.none()

    return _Field(help_text=help_text)


class CaseInputSerializer(serializers.Serializer):
    """A case as a client sends it: to open (POST) or correct an open one (PATCH)."""

    organization = _scoped_org_field(
        actions.RESOURCE, _("Id of the enterprise or place the case is against. Set once.")
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    facts = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The facts found (查明的事实).")
    )
    grounds = serializers.ListField(
        child=serializers.ChoiceField(choices=Ground.choices),
        required=False,
        help_text=_("At least one: the illegal conduct of the notice's 三(二)."),
    )
    inspection = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Id of an inspection of this organisation the case comes from."),
    )
    hazards = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("Ids of hazards of this organisation."),
    )
    is_joint = serializers.BooleanField(
        required=False, help_text=_("Joint enforcement (联合执法).")
    )
    is_unannounced = serializers.BooleanField(
        required=False, help_text=_("An unannounced check (暗查暗访).")
    )
    opened_on = serializers.DateField(
        required=False, help_text=_("Today when left out; not in the future. Set once.")
    )
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)

    def validate(self, attrs):
        case: Case | None = self.context.get("case")
        if case is None:
            if attrs.get("organization") is None:
                raise serializers.ValidationError(
                    {"organization": [_("Choose the organisation the case is against.")]}
                )
        else:
            if "organization" in attrs and attrs["organization"].pk != case.organization_id:
                raise serializers.ValidationError(
                    {"organization": [_("A case stays with its organisation.")]}
                )
            if "opened_on" in attrs and attrs["opened_on"] != case.opened_on:
                raise serializers.ValidationError(
                    {"opened_on": [_("The date a case was opened cannot change.")]}
                )
        return attrs


class _Versioned(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True, help_text=VERSION_HELP)


class CaseOrderSerializer(_Versioned):
    """责令限期整改: the order (指令书) gets the next number; a review falls due after the
    deadline (the township's review days later)."""

    deadline = serializers.DateField(help_text=_("After the date of issue, within a year."))
    items = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=ITEMS_HELP
    )
    requirement = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Replaces the shipped requirement text.")
    )
    issued_on = serializers.DateField(required=False, help_text=ISSUED_ON_HELP)


class CaseSuspendSerializer(CaseOrderSerializer):
    """停产整顿: the decision; the organisation is suspended until the review passes."""

    deadline = serializers.DateField(
        help_text=_("End of the suspension period: after the date of issue, within a year.")
    )


class CaseCloseDownSerializer(_Versioned):
    """关闭取缔: the decision; the organisation is closed and the case ends."""

    items = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=ITEMS_HELP
    )
    requirement = serializers.CharField(required=False, allow_blank=True)
    issued_on = serializers.DateField(required=False, help_text=ISSUED_ON_HELP)


class CaseRecordSerializer(_Versioned):
    """现场检查记录: filled from the case's inspection where it has one."""

    place = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The organisation's address when left out.")
    )
    inspected_on = serializers.DateField(required=False)
    inspectors = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("The inspectors' names; required when the case has no inspection."),
    )
    items = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=ITEMS_HELP
    )
    present = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Who was present for the organisation.")
    )
    issued_on = serializers.DateField(required=False, help_text=ISSUED_ON_HELP)


class CaseFineSerializer(_Versioned):
    """罚款, with the penalty decision's number when it was made outside anpai."""

    amount = serializers.CharField(help_text=_("Yuan, more than 0, e.g. 20000 or 20000.50."))
    decision_number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    taken_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class CaseReferSerializer(_Versioned):
    """移送: the case handed to another authority."""

    referral_to = serializers.ChoiceField(choices=ReferralTo.choices)
    referral_body = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("The receiving body; required for “other”."),
    )
    taken_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class CaseCloseSerializer(_Versioned):
    """结案 by hand: not while a review is due."""

    conclusion = serializers.CharField(allow_blank=True, help_text=_("The conclusion (required)."))


class ReviewRecordSerializer(serializers.Serializer):
    """复查: the 整改复查意见书. Rectified closes the measure (and the case when nothing
    else is due); not rectified escalates the case."""

    passed = serializers.BooleanField(help_text=_("Rectified (整改合格) or not."))
    findings = serializers.CharField(allow_blank=True, help_text=_("What the review found."))
    reviewed_on = serializers.DateField(
        required=False, help_text=_("Today when left out; not before the order, not in the future.")
    )


class DocumentCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Why the document is cancelled (required; printed on it).")
    )


class AccountabilityInputSerializer(serializers.Serializer):
    """A record as a client sends it (JSON, or multipart with ``files``)."""

    organization = _scoped_org_field(
        actions.RECORD_RESOURCE, _("Id of the organisation held to account, or the person's.")
    )
    kind = serializers.ChoiceField(choices=AccountabilityKind.choices)
    reason = serializers.CharField(allow_blank=True)
    date = serializers.DateField(required=False, help_text=_("Today when left out."))
    person_name = serializers.CharField(
        required=False, allow_blank=True, help_text=_("When a person is held to account.")
    )
    person_title = serializers.CharField(required=False, allow_blank=True)
    referral_to = serializers.ChoiceField(
        choices=[("", "—"), *ReferralTo.choices],
        required=False,
        allow_blank=True,
        help_text=_("Required for a referral."),
    )
    outcome = serializers.CharField(required=False, allow_blank=True)
    hazards = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("Ids of hazards of this organisation."),
    )
    cases = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("Ids of cases against this organisation."),
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text=_("Documents: photos (JPEG, PNG, WebP, HEIC) or PDF, checked by content."),
    )
