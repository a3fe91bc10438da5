"""Enforcement (执法): cases against organisations, the measures taken, the official
documents they produce (numbered per township, kind and year), the reviews that
follow a deadline, and the accountability records (追责问责)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from anpai.core.querysets import RestrictedQuerySet
from anpai.enforcement.choices import (
    AccountabilityKind,
    CaseState,
    DocumentKind,
    EventKind,
    MeasureKind,
    ReferralTo,
    ReviewState,
)

S = CaseState


class DocumentSettings(models.Model):
    """A township's document settings: number prefix, issuing authority, texts per kind.

    ``kinds`` overrides the shipped texts (``data/documents.json``) per document
    kind; what a document printed is copied into the document itself, so later
    edits never change an issued one.
    """

    region = models.OneToOneField(
        "regions.Region",
        verbose_name=_("township"),
        on_delete=models.CASCADE,
        related_name="document_settings",
    )
    prefix = models.CharField(
        _("number prefix"),
        max_length=12,
        help_text=_(
            "Printed before the kind's abbreviation, e.g. 西安监 in 西安监责改〔2024〕12号."
        ),
    )
    authority = models.CharField(_("issuing authority"), max_length=100)
    contact = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    review_days = models.PositiveSmallIntegerField(
        _("days to review after a deadline"),
        default=10,
        help_text=_("A review falls due this many days after the rectification deadline."),
    )
    kinds = models.JSONField(_("texts per document kind"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("document settings")
        verbose_name_plural = _("document settings")

    def __str__(self) -> str:
        return f"{self.region} · {self.prefix}"


class DocumentCounter(models.Model):
    """The last serial given per township, document kind and year (never reused)."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "year"], name="one_document_counter_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.kind}/{self.year}: {self.last}"


class CaseQuerySet(RestrictedQuerySet["Case"]):
    resource = "enforcement.case"
    org_path = "organization"

    def open(self) -> CaseQuerySet:
        return self.exclude(state=S.CLOSED)


class Case(models.Model):
    """One enforcement case (执法案件) against one organisation."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="enforcement_cases",
    )
    township = models.ForeignKey(
        "regions.Region",
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("case number"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    grounds = models.JSONField(_("grounds"), default=list)
    facts = models.TextField(_("facts found"))
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enforcement_cases",
    )
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name=_("hazards"), blank=True, related_name="enforcement_cases"
    )
    is_joint = models.BooleanField(_("joint enforcement"), default=False)  # 联合执法
    is_unannounced = models.BooleanField(_("unannounced check"), default=False)  # 暗查暗访
    state = FSMField(
        _("state"), max_length=12, choices=CaseState.choices, default=S.OPEN, protected=False
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("enforcement case")
        verbose_name_plural = _("enforcement cases")
        indexes = [models.Index(fields=["state", "opened_on"])]

    def __str__(self) -> str:
        return self.number or self.title

    def ground_labels(self) -> list[str]:
        from anpai.enforcement.choices import Ground

        labels = dict(Ground.choices)
        return [str(labels.get(code, code)) for code in self.grounds]

    @property
    def is_open(self) -> bool:
        return self.state != S.CLOSED

    # Transitions: the action functions in actions.py call these under a row lock.
    @transition(field=state, source=S.OPEN, target=S.ESCALATED)
    def escalate(self) -> None:
        self.escalated_at = timezone.now()

    @transition(field=state, source=[S.OPEN, S.ESCALATED], target=S.CLOSED)
    def close(self) -> None:
        self.closed_at = timezone.now()


class ChildQuerySet(RestrictedQuerySet[Any]):
    resource = "enforcement.case"
    org_path = "case__organization"


class Document(models.Model):
    """One official document (执法文书), numbered and frozen when issued.

    ``content`` holds everything the printed document shows, so the PDF and the
    Word file rebuilt from it later are the same document. A cancelled document
    keeps its number, with the reason printed across it.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    township = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial"))
    number = models.CharField(_("document number"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("document", "issued by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    content = models.JSONField(_("content"), default=dict)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        constraints = [
            models.UniqueConstraint(
                fields=["township", "kind", "year", "serial"], name="unique_document_serial"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def title(self) -> str:
        return str(self.content.get("title") or self.get_kind_display())


class Measure(models.Model):
    """A measure taken in a case: deadline order, suspension, closure, fine or referral."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(
        pgettext_lazy("enforcement", "measure"), max_length=20, choices=MeasureKind.choices
    )
    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures",
    )
    taken_on = models.DateField(_("date"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    referral_to = models.CharField(
        _("referred to"), max_length=20, choices=ReferralTo.choices, blank=True
    )
    referral_body = models.CharField(_("receiving body"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["case", "taken_on", "id"]
        verbose_name = _("enforcement measure")
        verbose_name_plural = _("enforcement measures")

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


class ReviewQuerySet(ChildQuerySet):
    def due(self) -> ReviewQuerySet:
        return self.filter(state=ReviewState.PENDING)

    def overdue(self, today=None) -> ReviewQuerySet:
        return self.due().filter(due_on__lt=today or timezone.localdate())


class Review(models.Model):
    """The review (复查) that follows a deadline order or a suspension."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    measure = models.ForeignKey(
        Measure,
        verbose_name=pgettext_lazy("enforcement", "measure"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    due_on = models.DateField(_("review due"), db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    findings = models.TextField(_("review findings"), blank=True)
    document = models.ForeignKey(
        Document,
        verbose_name=_("review opinion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.case} · {self.due_on}"

    def is_overdue(self, today=None) -> bool:
        return self.state == ReviewState.PENDING and self.due_on < (today or timezone.localdate())


class CaseEvent(models.Model):
    """One step in a case's history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class AccountabilityQuerySet(RestrictedQuerySet["AccountabilityRecord"]):
    resource = "enforcement.accountabilityrecord"
    org_path = "organization"


class AccountabilityRecord(models.Model):
    """A record of holding someone to account (曝光、通报、约谈、移送) — decided by people.

    Against an organisation, or against a person (``person_name``) of that
    organisation (a village committee, a department, an enterprise).
    """

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="accountability_records",
    )
    person_name = models.CharField(_("person"), max_length=50, blank=True)
    person_title = models.CharField(_("post"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AccountabilityKind.choices)
    date = models.DateField(_("date"), default=timezone.localdate)
    reason = models.TextField(_("reason"))
    referral_to = models.CharField(
        _("referred to"), max_length=20, choices=ReferralTo.choices, blank=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name=_("hazards"), blank=True, related_name="accountability"
    )
    cases = models.ManyToManyField(
        Case, verbose_name=_("cases"), blank=True, related_name="accountability"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = AccountabilityQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")

    def __str__(self) -> str:
        who = self.person_name or str(self.organization)
        return f"{self.get_kind_display()} · {who}"


class AccountabilityFileQuerySet(RestrictedQuerySet["AccountabilityFile"]):
    resource = "enforcement.accountabilityrecord"
    org_path = "record__organization"


class AccountabilityFile(models.Model):
    """A document attached to an accountability record (checked like hazard evidence)."""

    record = models.ForeignKey(AccountabilityRecord, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="accountability/%Y/%m/", max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = AccountabilityFileQuerySet.as_manager()

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("attached document")
        verbose_name_plural = _("attached documents")

    def __str__(self) -> str:
        return self.original_name
