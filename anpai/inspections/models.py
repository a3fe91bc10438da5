"""Checklists (versioned), inspections with their answers, the cadence of duties, and
government inspection rounds (including the 双随机 random draw)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anpai.core.querysets import RestrictedQuerySet
from anpai.inspections.choices import (
    AnswerResult,
    Cadence,
    InspectionKind,
    InspectionState,
    PeriodState,
)


class ChecklistQuerySet(models.QuerySet["ChecklistTemplate"]):
    def current(self) -> ChecklistQuerySet:
        return self.filter(is_current=True)

    def restrict(self, user, action: str = "view") -> ChecklistQuerySet:
        """Like standards: every role holder reads the shipped checklists and the local
        ones of their area (whoever inspects needs them); exporting follows the policy;
        only local checklists are changed, by those the policy allows in their region.

        An organisation's own checklist (generated from its risk control measures) is
        read only by those who may view that organisation, and changed by nobody here:
        it follows the measures (see :mod:`anpai.risks.duties`)."""
        from anpai.core import access
        from anpai.orgs.models import Organization

        resource = "inspections.checklisttemplate"
        if not access.grants(user):
            return self.none()
        if action in (access.VIEW, access.EXPORT):
            if action == access.EXPORT and not access.can(user, resource, action):
                return self.none()
            q = models.Q(region__isnull=True)
            for grant in access.grants(user):
                township = grant.region_prefix[:9]
                q |= models.Q(region__code__startswith=township) | models.Q(
                    region__code=township[:6] + "000000"
                )
            own = Organization.objects.restrict(user, access.VIEW).values("pk")
            return self.filter(
                (q & models.Q(organization__isnull=True)) | models.Q(organization__in=own)
            )
        table = access.POLICY.get(resource, {})
        q = models.Q(pk__in=[])
        for grant in access.grants(user):
            if action in table.get(grant.role, ()) and grant.scope == access.REGION:
                q |= models.Q(region__code__startswith=grant.region_prefix)
        return self.filter(is_shipped=False, organization__isnull=True).filter(q)


class ChecklistTemplate(models.Model):
    """One version of a checklist. Editing makes a new version; inspections keep theirs."""

    code = models.SlugField(
        _("code"), max_length=60, help_text=_("Identifies the checklist across its versions.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    industry = models.ForeignKey(
        "orgs.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    place_kind = models.CharField(_("kind of place"), max_length=60, blank=True)
    is_shipped = models.BooleanField(_("shipped with anpai"), default=False)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("local to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_checklists",
        help_text=_("Set for an organisation's own checklist (e.g. its risk control checks)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_checklist_version"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(is_current=True),
                name="one_current_checklist_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ChecklistItem(models.Model):
    """One question of a checklist, optionally tied to a determination-standard clause."""

    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    section = models.CharField(_("section"), max_length=100, blank=True)
    question = models.TextField(_("question"))
    guidance = models.TextField(_("guidance"), blank=True)
    clause = models.ForeignKey(
        "standards.Clause",
        verbose_name=_("clause"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    category = models.ForeignKey(
        "hazards.Category",
        verbose_name=_("hazard category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure = models.ForeignKey(
        "risks.ControlMeasure",
        verbose_name=_("control measure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checklist_items",
        help_text=_("The risk control measure this item checks (generated from risk points)."),
    )
    allow_na = models.BooleanField(_("may be not applicable"), default=True)
    photo_required_on_fail = models.BooleanField(_("photo required on fail"), default=True)

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.question[:60]


class InspectionQuerySet(RestrictedQuerySet["Inspection"]):
    resource = "inspections.inspection"
    org_path = "organization"


class Inspection(models.Model):
    """An inspection of one organisation against one checklist version."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    cadence = models.CharField(
        _("cadence level"), max_length=12, choices=Cadence.choices, blank=True
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspectors"),
        blank=True,
        related_name="inspections",
    )
    departments = models.ManyToManyField(
        "orgs.Organization",
        verbose_name=_("departments"),
        blank=True,
        related_name="joint_inspections",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=InspectionState.choices,
        default=InspectionState.DRAFT,
        db_index=True,
    )
    summary = models.TextField(_("result"), blank=True)
    signer_name = models.CharField(_("signed by (inspected party)"), max_length=50, blank=True)
    signature = models.FileField(_("signature"), upload_to="signatures/%Y/%m/", blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    period = models.ForeignKey(
        "DutyPeriod",
        verbose_name=_("duty period"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignment = models.ForeignKey(
        "RoundAssignment",
        verbose_name=_("planned in round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["organization", "date"])]

    def __str__(self) -> str:
        return f"{self.organization} {self.date} {self.get_kind_display()}"

    @property
    def is_draft(self) -> bool:
        return self.state == InspectionState.DRAFT


class Answer(models.Model):
    """The answer to one item; a failed item drafts the hazard it will become on submit."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="answers"
    )
    result = models.CharField(_("result"), max_length=4, choices=AnswerResult.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    hazard_title = models.CharField(_("hazard title"), max_length=200, blank=True)
    hazard_level = models.CharField(_("hazard level"), max_length=10, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("same hazard as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["inspection", "item__order", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="one_answer_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} = {self.result or '—'}"


class AnswerPhoto(models.Model):
    """A photo taken for an answer (checked like hazard evidence; becomes before-evidence)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to="inspections/%Y/%m/", max_length=255)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to="inspections/%Y/%m/", max_length=255, blank=True
    )
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return self.original_name


class DutyQuerySet(RestrictedQuerySet["InspectionDuty"]):
    resource = "inspections.inspectionduty"
    org_path = "organization"


class InspectionDuty(models.Model):
    """An enterprise's standing duty: who inspects, how often, with which checklist."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="duties",
    )
    cadence = models.CharField(_("cadence level"), max_length=12, choices=Cadence.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duties",
    )
    role = models.CharField(
        _("role"),
        max_length=30,
        blank=True,
        help_text=_("Anyone in this role at the organisation may do it."),
    )
    template_code = models.SlugField(
        _("checklist"),
        max_length=60,
        help_text=_("The checklist; each period uses its version current at the time."),
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DutyQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "cadence", "id"]
        verbose_name = _("inspection duty")
        verbose_name_plural = _("inspection duties")

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_cadence_display()}"


class DutyPeriodQuerySet(RestrictedQuerySet["DutyPeriod"]):
    resource = "inspections.inspectionduty"
    org_path = "duty__organization"


class DutyPeriod(models.Model):
    """One calendar period of a duty: due until it ends, then done or missed."""

    duty = models.ForeignKey(
        InspectionDuty, verbose_name=_("duty"), on_delete=models.CASCADE, related_name="periods"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    state = models.CharField(
        _("state"),
        max_length=8,
        choices=PeriodState.choices,
        default=PeriodState.DUE,
        db_index=True,
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DutyPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["duty", "start"]
        verbose_name = _("duty period")
        verbose_name_plural = _("duty periods")
        constraints = [
            models.UniqueConstraint(fields=["duty", "start"], name="one_period_per_start"),
        ]
        indexes = [models.Index(fields=["state", "end"])]

    def __str__(self) -> str:
        return f"{self.duty} {self.start}–{self.end}"


class RoundQuerySet(RestrictedQuerySet["InspectionRound"]):
    resource = "inspections.inspectionround"
    org_path = "organization"


class InspectionRound(models.Model):
    """A round of government inspections planned by the township (or a department)."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("planned by"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=InspectionKind.choices, default=InspectionKind.TOWNSHIP
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    criteria = models.JSONField(_("selection criteria"), default=dict, blank=True)
    is_random = models.BooleanField(_("random draw (双随机)"), default=False)
    seed = models.BigIntegerField(_("random seed"), null=True, blank=True)
    draw = models.JSONField(
        _("draw record"),
        default=dict,
        blank=True,
        help_text=_("Candidates, inspector pool, counts and picks: enough to repeat the draw."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")

    def __str__(self) -> str:
        return self.name


class RoundAssignment(models.Model):
    """One organisation to inspect in a round, by whom and when."""

    round = models.ForeignKey(
        InspectionRound,
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), blank=True, related_name="+"
    )
    planned_on = models.DateField(_("planned date"), null=True, blank=True)

    class Meta:
        ordering = ["round", "planned_on", "id"]
        verbose_name = _("planned inspection")
        verbose_name_plural = _("planned inspections")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="one_assignment_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.organization}"
