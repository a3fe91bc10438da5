"""Leaders' responsibility lists (职责清单、任务清单、办实事解难题清单) and their
self-reviews (检视履职), for township and village leaders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anpai.core.querysets import RestrictedQuerySet
from anpai.responsibility.choices import Assessment, ItemStatus, ListKind, MatterCategory


class LeaderListQuerySet(RestrictedQuerySet["LeaderList"]):
    resource = "responsibility.leaderlist"
    org_path = "organization"


class LeaderList(models.Model):
    """One leader's list of one kind for one year."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="leader_lists",
        help_text=_("The township government or village committee the leader serves in."),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="leader_lists",
    )
    post = models.CharField(_("post"), max_length=60, blank=True)  # e.g. 乡长、分管副乡长、村支书
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("list"), max_length=10, choices=ListKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = LeaderListQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "organization", "leader", "kind"]
        verbose_name = _("leader's list")
        verbose_name_plural = _("leaders' lists")
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "organization", "year", "kind"], name="one_list_per_leader_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader} · {self.year} · {self.get_kind_display()}"


class ItemQuerySet(RestrictedQuerySet["ListItem"]):
    resource = "responsibility.leaderlist"
    org_path = "list__organization"


class ListItem(models.Model):
    list = models.ForeignKey(LeaderList, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(pgettext_lazy("list item", "item"))
    category = models.CharField(
        _("category"), max_length=20, choices=MatterCategory.choices, blank=True
    )
    due_on = models.DateField(pgettext_lazy("list item", "due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.TextField(_("progress note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["list", "order", "id"]
        verbose_name = _("list item")
        verbose_name_plural = _("list items")

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_overdue(self) -> bool:
        """Past its due date (in ``ANPAI_TIME_ZONE``) and not done."""
        return (
            self.due_on is not None
            and self.status != ItemStatus.DONE
            and self.due_on < timezone.localdate()
        )


class SelfReviewQuerySet(RestrictedQuerySet["SelfReview"]):
    resource = "responsibility.leaderlist"
    org_path = "organization"


class SelfReview(models.Model):
    """A leader's self-review against their lists (对照清单检视履职情况)."""

    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="self_reviews",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=30, default="全年")
    summary = models.TextField(_("how the duties were fulfilled"))
    gaps = models.TextField(_("gaps found"), blank=True)  # 找差距
    next_steps = models.TextField(_("next steps"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    objects = SelfReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "leader", "period"]
        verbose_name = _("self-review")
        verbose_name_plural = _("self-reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "organization", "year", "period"],
                name="one_self_review_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader} · {self.year} {self.period}"


class SelfReviewLineQuerySet(RestrictedQuerySet["SelfReviewLine"]):
    resource = "responsibility.leaderlist"
    org_path = "review__organization"


class SelfReviewLine(models.Model):
    review = models.ForeignKey(SelfReview, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(ListItem, on_delete=models.CASCADE, related_name="review_lines")
    assessment = models.CharField(_("assessment"), max_length=15, choices=Assessment.choices)
    remark = models.TextField(_("remark"), blank=True)

    objects = SelfReviewLineQuerySet.as_manager()

    class Meta:
        ordering = ["review", "item__list__kind", "item__order", "id"]
        verbose_name = _("self-review line")
        verbose_name_plural = _("self-review lines")
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="one_line_per_item")]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.item_id}"
