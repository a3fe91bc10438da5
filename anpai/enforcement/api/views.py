"""Enforcement API: cases (open, correct, and one endpoint per step: record, order,
suspend, close down, fine, refer, close), reviews (list, record), official
documents (list, cancel, PDF and Word downloads) and accountability records
(list, record with attached files, suggestions).

The views parse input and call :mod:`anpai.enforcement.actions`; every rule lives
there. Errors: outside your scope 404, your role may not 403, the case's state
refuses the step 409 (e.g. a closed case, a review still due), bad input 400 per
field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
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
from anpai.core.errors import Invalid
from anpai.enforcement import actions, render
from anpai.enforcement.api.serializers import (
    AccountabilityInputSerializer,
    AccountabilityRecordSerializer,
    AccountabilitySuggestionSerializer,
    CaseCloseDownSerializer,
    CaseCloseSerializer,
    CaseFineSerializer,
    CaseInputSerializer,
    CaseListSerializer,
    CaseOrderSerializer,
    CaseRecordSerializer,
    CaseReferSerializer,
    CaseSerializer,
    CaseSuspendSerializer,
    DocumentCancelSerializer,
    EnforcementReviewSerializer,
    OfficialDocumentSerializer,
    ReviewRecordSerializer,
)
from anpai.enforcement.choices import (
    AccountabilityKind,
    CaseState,
    DocumentKind,
    Ground,
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

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=_(
        "Refused by the case's state (e.g. closed, or a review still due) or changed "
        "meanwhile (``version``)."
    ),
)
STEP_RESPONSES = {200: CaseSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT}


def _overdue_reviews() -> QuerySet[Review]:
    return Review.objects.filter(
        case=OuterRef("pk"), state=ReviewState.PENDING, due_on__lt=timezone.localdate()
    )


# ---------------------------------------------------------------- filters


class CaseFilterSet(filters.FilterSet):
    """The API's filters: state, organisation, ground, and cases with an overdue review."""

    state = filters.MultipleChoiceFilter(
        choices=CaseState.choices, help_text=_("Repeatable: ?state=open&state=escalated.")
    )
    organization = filters.NumberFilter(
        field_name="organization_id", help_text=_("Organisation id.")
    )
    ground = filters.ChoiceFilter(
        choices=Ground.choices, method="filter_ground", help_text=_("Cases with this ground.")
    )
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        help_text=_("true: cases with a review past its due date; false: without."),
    )

    class Meta:
        model = Case
        fields = ["state", "organization", "ground", "overdue"]

    def filter_ground(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # The codes are stored as a JSON list; the quoted code matches one element exactly.
        return queryset.filter(grounds__icontains=f'"{value}"')

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        overdue = Exists(_overdue_reviews())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ReviewFilterSet(filters.FilterSet):
    """Reviews by state (pending = due, passed, failed), overdue, organisation, case."""

    state = filters.ChoiceFilter(choices=ReviewState.choices)
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        help_text=_("true: due reviews past their due date; false: all others."),
    )
    organization = filters.NumberFilter(
        field_name="case__organization_id", help_text=_("Organisation id.")
    )
    case = filters.NumberFilter(field_name="case_id", help_text=_("Case id."))

    class Meta:
        model = Review
        fields = ["state", "overdue", "organization", "case"]

    def filter_overdue(
        self, queryset: QuerySet[Review], name: str, value: bool
    ) -> QuerySet[Review]:
        q = {"state": ReviewState.PENDING, "due_on__lt": timezone.localdate()}
        return queryset.filter(**q) if value else queryset.exclude(**q)


class DocumentFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=DocumentKind.choices)
    case = filters.NumberFilter(field_name="case_id", help_text=_("Case id."))
    organization = filters.NumberFilter(
        field_name="case__organization_id", help_text=_("Organisation id.")
    )
    year = filters.NumberFilter(field_name="year")
    cancelled = filters.BooleanFilter(field_name="cancelled_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Document
        fields = ["kind", "case", "organization", "year", "cancelled"]


class AccountabilityFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=AccountabilityKind.choices)
    organization = filters.NumberFilter(
        field_name="organization_id", help_text=_("Organisation id.")
    )
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = AccountabilityRecord
        fields = ["kind", "organization", "date_from", "date_to"]


def _rename(exc: Invalid, rename: dict[str, str] | None) -> None:
    """The action names its own fields; answer with the names the client sent."""
    for theirs, ours in (rename or {}).items():
        if theirs in exc.fields:
            exc.fields[ours] = exc.fields.pop(theirs)


def _step_schema(summary, request, description="", responses=None):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses=responses or STEP_RESPONSES,
    )


# ---------------------------------------------------------------- cases


@extend_schema(tags=["enforcement"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List enforcement cases"),
        description=_(
            "Enforcement cases (执法案件) within your scope, the latest opened first, with "
            "the earliest due review and whether one is overdue."
        ),
        responses={200: CaseListSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One enforcement case"),
        description=_(
            "The case with its measures, official documents (with PDF and Word download "
            "URLs), reviews, history, and the steps you may take now. 404 outside your scope."
        ),
        responses={200: CaseSerializer, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary=_("Open a case (立案)"),
        description=_(
            "Against an enterprise or place, from one of its inspections or directly; "
            "``title``, ``facts`` and at least one of the ``grounds`` are required. The "
            "case gets the next case number of the township."
        ),
        request=CaseInputSerializer,
        responses={201: CaseSerializer, **WRITE_ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary=_("Correct an open case"),
        description=_(
            "Title, facts, grounds, the inspection and hazards, the joint and unannounced "
            "flags; only the fields sent change. Send ``version`` to be told (409) if "
            "someone changed the case meanwhile. A closed case does not change (409)."
        ),
        request=CaseInputSerializer,
        responses={200: CaseSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT},
    ),
)
class CaseViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Enforcement cases within the user's scope, and the steps of a case."""

    resource = actions.RESOURCE
    queryset = Case.objects.none()
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        **RestrictedViewSetMixin.action_permissions,
        "record": actions.ISSUE,
        "order": actions.ISSUE,
        "suspend": actions.ISSUE,
        "close_down": actions.ISSUE,
        "fine": actions.ISSUE,
        "refer": actions.ISSUE,
        "close": actions.CLOSE,
    }

    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseSerializer

    def get_queryset(self):
        return self._rows(full=self.action != "list")

    def _rows(self, *, full: bool) -> QuerySet[Case]:
        due = (
            Review.objects.filter(case=OuterRef("pk"), state=ReviewState.PENDING)
            .order_by("due_on")
            .values("due_on")[:1]
        )
        rows = (
            Case.objects.restrict(self.request.user, access.VIEW)
            .select_related("organization", "opened_by")
            .prefetch_related("hazards")
            .annotate(next_review_due=Subquery(due), has_overdue_review=Exists(_overdue_reviews()))
        )
        if not full:
            return rows
        return rows.prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("document")),
            Prefetch("documents", queryset=Document.objects.order_by("issued_on", "id")),
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("measure__document", "reviewer", "document"),
            ),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
        )

    def _fresh(self, pk: int) -> dict:
        return CaseSerializer(
            self._rows(full=True).get(pk=pk), context=self.get_serializer_context()
        ).data

    def create(self, request, *args, **kwargs):
        serializer = CaseInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        case = actions.open_case(
            by=request.user,
            organization=data.pop("organization"),
            title=data.pop("title", ""),
            facts=data.pop("facts", ""),
            grounds=data.pop("grounds", []),
            **data,
        )
        return Response(self._fresh(case.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()  # 404 outside the scope, 403 seen but not changed
        context = {**self.get_serializer_context(), "case": case}
        serializer = CaseInputSerializer(data=request.data, partial=True, context=context)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values.pop("organization", None)
        values.pop("opened_on", None)
        version = values.pop("version", None)
        actions.update_case(case.pk, by=request.user, version=version, **values)
        return Response(self._fresh(case.pk))

    # ------------------------------------------------------------ steps

    def _step(
        self,
        request,
        serializer_class: type,
        call: Callable[[int, dict[str, Any]], Any],
        rename: dict[str, str] | None = None,
    ) -> Response:
        """Gate (404/403), parse (400), then run the step; its refusals answer 409."""
        case = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            made = call(case.pk, data)
        except Invalid as exc:
            _rename(exc, rename)
            raise
        response = Response(self._fresh(case.pk))
        if isinstance(made, Document):
            # The document the step issued: its number and downloads are in the case.
            response["Location"] = request.build_absolute_uri(
                reverse("api:document-detail", args=[made.pk])
            )
        return response

    @_step_schema(
        _("Issue an on-site inspection record (现场检查记录)"),
        CaseRecordSerializer,
        _(
            "Numbered in its own series; filled from the case's inspection (date, "
            "inspectors, who was present, failed items) where the case has one. "
            "``Location`` names the new document."
        ),
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        return self._step(
            request,
            CaseRecordSerializer,
            lambda p, d: actions.issue_record(p, by=request.user, **d),
        )

    @_step_schema(
        _("Order rectification within a deadline (责令限期整改)"),
        CaseOrderSerializer,
        _(
            "Issues the 责令限期整改指令书 with the next number of the township's series for "
            "the year, and schedules a review due after the deadline. ``Location`` names "
            "the new document."
        ),
    )
    @action(detail=True, methods=["post"])
    def order(self, request, pk=None):
        return self._step(
            request, CaseOrderSerializer, lambda p, d: actions.issue_order(p, by=request.user, **d)
        )

    @_step_schema(
        _("Suspend production (停产整顿)"),
        CaseSuspendSerializer,
        _(
            "Issues the decision; the organisation shows as suspended until a review "
            "finds the rectification done. ``Location`` names the new document."
        ),
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._step(
            request,
            CaseSuspendSerializer,
            lambda p, d: actions.issue_suspension(p, by=request.user, **d),
        )

    @_step_schema(
        _("Close down (关闭取缔)"),
        CaseCloseDownSerializer,
        _(
            "Issues the decision; the organisation shows as closed and the case ends. "
            "``Location`` names the new document."
        ),
    )
    @action(detail=True, methods=["post"], url_path="close-down", url_name="close-down")
    def close_down(self, request, pk=None):
        return self._step(
            request,
            CaseCloseDownSerializer,
            lambda p, d: actions.issue_closure(p, by=request.user, **d),
        )

    @_step_schema(_("Record a fine (罚款)"), CaseFineSerializer)
    @action(detail=True, methods=["post"])
    def fine(self, request, pk=None):
        return self._step(
            request, CaseFineSerializer, lambda p, d: actions.record_fine(p, by=request.user, **d)
        )

    @_step_schema(
        _("Refer the case (移送)"),
        CaseReferSerializer,
        _("To discipline inspection, the organisation department, the police or another body."),
    )
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        def call(p: int, d: dict[str, Any]):
            d["body"] = d.pop("referral_body", "")
            return actions.refer(p, by=request.user, **d)

        return self._step(request, CaseReferSerializer, call, rename={"body": "referral_body"})

    @_step_schema(
        _("Close the case (结案)"),
        CaseCloseSerializer,
        _("With a conclusion; not while a review is still due (409)."),
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(
            request, CaseCloseSerializer, lambda p, d: actions.close_case(p, by=request.user, **d)
        )


# ---------------------------------------------------------------- reviews


@extend_schema(tags=["enforcement"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List reviews (复查)"),
        description=_(
            "Reviews within your scope, the earliest due first; ``?state=pending`` for the "
            "due ones, ``?overdue=true`` for those past their due date."
        ),
        responses={200: EnforcementReviewSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One review"), responses={200: EnforcementReviewSerializer, **ERROR_RESPONSES}
    ),
)
class ReviewViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Reviews that follow deadline orders and suspensions."""

    resource = actions.RESOURCE
    queryset = Review.objects.none()
    serializer_class = EnforcementReviewSerializer
    filterset_class = ReviewFilterSet
    action_permissions = {**RestrictedViewSetMixin.action_permissions, "record": actions.REVIEW}

    def get_queryset(self):
        return Review.objects.restrict(self.request.user, access.VIEW).select_related(
            "case__organization", "measure__document", "reviewer", "document"
        )

    @extend_schema(
        summary=_("Record the review (整改复查意见书)"),
        description=_(
            "Issues the review opinion with the next number. Rectified lifts the measure "
            "(a suspension ends) and closes the case when no other review is due; not "
            "rectified escalates the case for stronger measures. A review is recorded once "
            "(409 after)."
        ),
        request=ReviewRecordSerializer,
        responses={200: EnforcementReviewSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        review = self.get_object()
        serializer = ReviewRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.record_review(review.pk, by=request.user, **serializer.validated_data)
        fresh = self.get_queryset().get(pk=review.pk)
        context = self.get_serializer_context()
        return Response(EnforcementReviewSerializer(fresh, context=context).data)


# ---------------------------------------------------------------- documents


@extend_schema(tags=["enforcement"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List official documents (执法文书)"),
        description=_("Documents within your scope, the latest issued first."),
        responses={200: OfficialDocumentSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One official document"),
        responses={200: OfficialDocumentSerializer, **ERROR_RESPONSES},
    ),
)
class DocumentViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Official documents, their cancellation, and their PDF and Word files."""

    resource = actions.RESOURCE
    queryset = Document.objects.none()
    serializer_class = OfficialDocumentSerializer
    filterset_class = DocumentFilterSet
    action_permissions = {**RestrictedViewSetMixin.action_permissions, "cancel": actions.CANCEL}

    def get_queryset(self):
        return Document.objects.restrict(self.request.user, access.VIEW).select_related(
            "case__organization", "issued_by"
        )

    def perform_content_negotiation(self, request, force=False):
        # The files are files whatever the client accepts; their errors are JSON.
        return super().perform_content_negotiation(
            request, force=force or self.action in ("pdf", "docx")
        )

    @extend_schema(
        summary=_("Cancel a document (作废)"),
        description=_(
            "The document keeps its number, with the reason printed across it; its measure "
            "stops (a suspension is lifted, a due review goes). Cancelled once (409 after)."
        ),
        request=DocumentCancelSerializer,
        responses={200: OfficialDocumentSerializer, **WRITE_ERROR_RESPONSES, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        document = self.get_object()
        serializer = DocumentCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.cancel_document(document.pk, by=request.user, **serializer.validated_data)
        fresh = self.get_queryset().get(pk=document.pk)
        context = self.get_serializer_context()
        return Response(OfficialDocumentSerializer(fresh, context=context).data)

    def _file(self, content_type: str, extension: str, *, attachment: bool) -> HttpResponse:
        document = self.get_object()  # 404 outside the scope
        body = (render.pdf if extension == "pdf" else render.docx)(document)
        response = HttpResponse(body, content_type=content_type)
        name = f"{document.number}{document.title}.{extension}"
        response["Content-Disposition"] = content_disposition_header(attachment, name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-cache"
        return response

    @extend_schema(
        summary=_("The document as PDF"),
        description=_(
            "``GET /api/v1/documents/{id}/pdf``: the printed document in its conventional "
            "layout, rebuilt from its frozen content (a cancelled one marked so)."
        ),
        responses={
            (200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description=_("The PDF.")),
            **ERROR_RESPONSES,
        },
    )
    def pdf(self, request, pk=None):
        return self._file(PDF, "pdf", attachment=False)

    @extend_schema(
        summary=_("The document as a Word file"),
        description=_("``GET /api/v1/documents/{id}/docx``: the same document, editable."),
        responses={
            (200, DOCX): OpenApiResponse(OpenApiTypes.BINARY, description=_("The .docx.")),
            **ERROR_RESPONSES,
        },
    )
    def docx(self, request, pk=None):
        return self._file(DOCX, "docx", attachment=True)


# ---------------------------------------------------------------- accountability


@extend_schema(tags=["enforcement"])
@extend_schema_view(
    list=extend_schema(
        summary=_("List accountability records (追责问责)"),
        description=_("Records within your scope, the latest first."),
        responses={200: AccountabilityRecordSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(
        summary=_("One accountability record"),
        responses={200: AccountabilityRecordSerializer, **ERROR_RESPONSES},
    ),
    create=extend_schema(
        summary=_("Record accountability"),
        description=_(
            "Public exposure, circulated notice, interview or referral, against an "
            "organisation or a person of it, with the reason, linked hazards and cases of "
            "that organisation and attached documents (multipart ``files``: photos or PDF, "
            "checked by content). Decided by people: nothing is recorded automatically."
        ),
        request={
            "application/json": AccountabilityInputSerializer,
            "multipart/form-data": AccountabilityInputSerializer,
        },
        responses={201: AccountabilityRecordSerializer, **WRITE_ERROR_RESPONSES},
    ),
)
class AccountabilityViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Accountability records and the suggestions to act on."""

    resource = actions.RECORD_RESOURCE
    queryset = AccountabilityRecord.objects.none()
    serializer_class = AccountabilityRecordSerializer
    filterset_class = AccountabilityFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions = {
        **RestrictedViewSetMixin.action_permissions,
        "suggestions": access.ADD,
    }

    def get_queryset(self):
        return (
            AccountabilityRecord.objects.restrict(self.request.user, access.VIEW)
            .select_related("organization", "created_by")
            .prefetch_related(
                "hazards", "cases", Prefetch("files", queryset=AccountabilityFile.objects.all())
            )
        )

    def create(self, request, *args, **kwargs):
        serializer = AccountabilityInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            record = actions.record_accountability(by=request.user, **data)
        except Invalid as exc:
            _rename(exc, {"file": "files"})  # the evidence check names its field "file"
            raise
        fresh = self.get_queryset().get(pk=record.pk)
        body = AccountabilityRecordSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Suggestions for accountability"),
        description=_(
            "Overdue major hazards and orders found not carried out on review, within your "
            "scope, that no record names yet — a list for people to decide on, never a "
            "penalty. For those who record accountability."
        ),
        responses={200: AccountabilitySuggestionSerializer(many=True), **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request):
        rows = actions.suggestions(request.user)
        return Response(AccountabilitySuggestionSerializer(rows, many=True).data)


@extend_schema(tags=["enforcement"])
class AccountabilityFileViewSet(RestrictedViewSetMixin, viewsets.GenericViewSet):
    """``GET /api/v1/accountability/files/{id}`` (routed in ``anpai.api_urls``)."""

    resource = actions.RECORD_RESOURCE
    queryset = AccountabilityFile.objects.none()
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return AccountabilityFile.objects.restrict(self.request.user, access.VIEW)

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary=_("A document attached to an accountability record"),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("The file (JPEG or PDF).")
            ),
            **ERROR_RESPONSES,
        },
    )
    def download(self, request, pk=None):
        attached = self.get_object()  # 404 outside the scope
        response = FileResponse(
            attached.file.open("rb"),
            content_type=attached.content_type,
            as_attachment=True,
            filename=attached.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-cache"
        return response
