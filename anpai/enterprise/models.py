"""Enterprise responsibility (企业主体责任): the principal's yearly commitment, the
self-inspection report filed with the township, the full-staff responsibility
system (each post's duties with employees' acknowledgements), the safety-expense
ledger, and the 三违 record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from anpai.core.querysets import RestrictedQuerySet
from anpai.enterprise.choices import (
    ExpenseDirection,
    ReportEventKind,
    ReportState,
    ViolationAction,
    ViolationKind,
)

R = ReportState


class CommitmentQuerySet(RestrictedQuerySet["Commitment"]):
    resource = "enterprise.commitment"
    org_path = "organization"


class Commitment(models.Model):
    """The principal's commitment (主要负责人安全生产承诺书) for one year, signed on screen."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    duties = models.JSONField(_("duties committed to"), default=list)
    pledge = models.TextField(_("pledge"))
    extra = models.TextField(_("further commitments"), blank=True)
    signer_name = models.CharField(_("signed by"), max_length=50)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signature = models.FileField(_("signature"), upload_to="commitments/%Y/", max_length=255)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "organization"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="one_commitment_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.year}"


def _report_scope(user, resource: str, action: str, org_path: str, state_path: str):
    """One ``Q`` for the reports ``user`` may ``action``, or None.

    A draft is the enterprise's own business: only those who may write reports
    for the organisation (add or change) see it. Everyone else in scope sees a
    report once it has been submitted (and whatever became of it afterwards).
    """
    from anpai.core import access

    scope = access.scope_q(user, resource, action, org_path=org_path)
    if scope is None:
        return None
    writers = None
    for step in (access.ADD, access.CHANGE):
        q = access.scope_q(user, resource, step, org_path=org_path)
        if q is not None:
            writers = q if writers is None else writers | q
    visible = ~models.Q(**{state_path: R.DRAFT})
    if writers is not None:
        visible = writers | visible
    return scope & visible


class ReportQuerySet(RestrictedQuerySet["SelfInspectionReport"]):
    resource = "enterprise.selfinspectionreport"
    org_path = "organization"

    def restrict(self, user, action: str = "view"):
        """The policy's scope for ``action``, without other people's drafts (see above)."""
        q = _report_scope(user, self.resource, action, self.org_path, "state")
        return self.none() if q is None else self.filter(q)


class SelfInspectionReport(models.Model):
    """The enterprise's self-inspection report (自查检视报告), filed (备案) by the township."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="self_inspection_reports",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    overview = models.TextField(_("what was inspected"))  # 自查检视情况
    problems = models.TextField(_("problems found"), blank=True)
    rectification = models.TextField(_("rectification"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    attachment = models.FileField(
        _("signed copy"), upload_to="self-inspections/%Y/", max_length=255, blank=True
    )
    attachment_name = models.CharField(max_length=255, blank=True)
    state = FSMField(
        _("state"), max_length=12, choices=ReportState.choices, default=R.DRAFT, protected=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filing_number = models.CharField(_("filing number"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-updated_at", "-id"]
        verbose_name = _("self-inspection report")
        verbose_name_plural = _("self-inspection reports")

    def __str__(self) -> str:
        return self.title

    @transition(field=state, source=[R.DRAFT, R.RETURNED], target=R.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(field=state, source=R.SUBMITTED, target=R.RETURNED)
    def send_back(self) -> None:
        pass

    @transition(field=state, source=R.SUBMITTED, target=R.FILED)
    def file(self) -> None:
        self.filed_at = timezone.now()


class ReportEventQuerySet(RestrictedQuerySet["ReportEvent"]):
    resource = "enterprise.selfinspectionreport"
    org_path = "report__organization"

    def restrict(self, user, action: str = "view"):
        """The events of the reports ``user`` may see (no one else's drafts)."""
        q = _report_scope(user, self.resource, action, self.org_path, "report__state")
        return self.none() if q is None else self.filter(q)


class ReportEvent(models.Model):
    report = models.ForeignKey(
        SelfInspectionReport, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReportEventKind.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    objects = ReportEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"


class PostDutyQuerySet(RestrictedQuerySet["PostDuty"]):
    resource = "enterprise.postduty"
    org_path = "organization"


class PostDuty(models.Model):
    """One post's safety duties in the full-staff responsibility system (全员安全生产责任制)."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="post_duties",
    )
    post = models.CharField(_("post"), max_length=60)
    duties = models.TextField(_("safety duties"))
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = PostDutyQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "post", "-version"]
        verbose_name = _("post duties")
        verbose_name_plural = _("post duties")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "post", "version"], name="unique_post_duty_version"
            ),
            models.UniqueConstraint(
                fields=["organization", "post"],
                condition=models.Q(is_current=True),
                name="one_current_post_duty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} v{self.version}"


class AcknowledgementQuerySet(RestrictedQuerySet["Acknowledgement"]):
    resource = "enterprise.postduty"
    org_path = "post_duty__organization"


class Acknowledgement(models.Model):
    """An employee's acknowledgement of their post's duties (one per version)."""

    post_duty = models.ForeignKey(
        PostDuty, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person_name = models.CharField(_("name"), max_length=50)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["post_duty", "acknowledged_at", "id"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["post_duty", "person_name"], name="one_acknowledgement_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_name} · {self.post_duty}"


class ExpenseQuerySet(RestrictedQuerySet["SafetyExpense"]):
    resource = "enterprise.safetyexpense"
    org_path = "organization"


class SafetyExpense(models.Model):
    """One line of the safety-expense ledger (安全生产费用台账): set aside or spent."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="safety_expenses",
    )
    date = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    direction = models.CharField(_("kind"), max_length=10, choices=ExpenseDirection.choices)
    category = models.CharField(_("category"), max_length=20, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    description = models.CharField(_("description"), max_length=200)
    voucher = models.CharField(_("voucher number"), max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ExpenseQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("safety expense")
        verbose_name_plural = _("safety expenses")
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"


class ViolationQuerySet(RestrictedQuerySet["Violation"]):
    resource = "enterprise.violation"
    org_path = "organization"


class Violation(models.Model):
    """One 三违 (违章指挥、违章作业、违反劳动纪律) and what was done about it."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="violations",
    )
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ViolationKind.choices)
    person_name = models.CharField(_("person"), max_length=50)
    post = models.CharField(_("post"), max_length=60, blank=True)
    description = models.TextField(_("what happened"))
    action = models.CharField(_("action taken"), max_length=12, choices=ViolationAction.choices)
    fine = models.DecimalField(
        _("fine (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ViolationQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("violation record")
        verbose_name_plural = _("violation records")

    def __str__(self) -> str:
        return f"{self.date} {self.person_name} {self.get_kind_display()}"
