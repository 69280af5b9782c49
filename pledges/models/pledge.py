"""Organizations, members, the relationships that give users their roles, and pledges.

Roles are never a field on the user: they follow from Position rows (secretary, office,
leader) and from a Member row linked to the login.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from core.dates import validate_sane
from core.files import EvidenceFile
from core.text import REASON_MAX, bounded_text

from .roles import roles_of


class OrganizationQuerySet(MP_NodeQuerySet):
    def subtree_of(self, org: Organization) -> OrganizationQuerySet:
        """The organization and everything under it: one indexed prefix query on `path`."""
        return self.filter(path__startswith=org.path)

    def scope_of(self, user) -> OrganizationQuerySet:
        """Every organization the user may look at as secretary, office or leader."""
        q = roles_of(user).subtree_q("path")
        return self.filter(q) if q is not None else self.none()

    def visible_to(self, user) -> OrganizationQuerySet:
        """The user's scope, and a member's own branch (read only: see permissions)."""
        roles = roles_of(user)
        if roles.is_superuser:
            return self.all()
        q = roles.subtree_q("path") or Q(pk__in=[])
        if roles.member is not None:
            q |= Q(pk=roles.member.organization_id)
        return self.filter(q)


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    def get_queryset(self):
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(MP_Node):
    """A node of the Party organization tree, stored as a materialized path (treebeard)."""

    class Level(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        WORK_COMMITTEE = "work_committee", _("党工委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        GROUP = "group", _("党小组")

    class Field(models.TextChoices):
        RURAL = "rural", _("农村")
        COMMUNITY = "community", _("街道社区")
        GOVERNMENT = "government", _("机关事业单位")
        SCHOOL = "school", _("中小学校")
        MEDICAL = "medical", _("医疗单位")
        STATE_ENTERPRISE = "state_enterprise", _("国有企业")
        NEW_ECONOMY = "new_economy", _("两新组织")
        MASS = "mass", _("群团组织")

    # Treebeard's own columns, declared again only to name them in Chinese: keep the options
    # exactly as in MP_Node. `depth` is not "层级", which already names `level`.
    path = models.CharField(_("路径"), max_length=255, unique=True)
    depth = models.PositiveIntegerField(_("深度"))
    numchild = models.PositiveIntegerField(_("下级数量"), default=0)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    field = models.CharField(_("领域"), max_length=20, choices=Field.choices)

    steplen = 4
    node_order_by = None
    objects = OrganizationManager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pledges:organization", args=[self.pk])

    @property
    def is_branch_level(self) -> bool:
        """Branches and groups hold members; higher levels hold organizations."""
        return self.level in (self.Level.BRANCH, self.Level.GROUP)

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]

    def breadcrumbs(self) -> list[Organization]:
        """Ancestors then self, in one query."""
        paths = self.ancestor_paths()
        ancestors = list(Organization.objects.filter(path__in=paths)) if paths else []
        return [*ancestors, self]


class Position(models.Model):
    """A user's relationship to an organization; every role is derived from these."""

    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        OFFICE = "office", _("党委办公室")
        LEADER_CONTACT = "leader_contact", _("联系领导")
        LEADER_SUPERVISE = "leader_supervise", _("分管领导")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name=_("用户"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="positions", verbose_name=_("党组织")
    )
    kind = models.CharField(_("职责"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("职责")
        verbose_name_plural = _("职责")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "kind"], name="unique_position_per_user_org_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_kind_display()}"

    @property
    def is_leader(self) -> bool:
        return self.kind in (self.Kind.LEADER_CONTACT, self.Kind.LEADER_SUPERVISE)


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> MemberQuerySet:
        """Members of the organizations in the user's scope, and the user's own member row."""
        roles = roles_of(user)
        if roles.is_superuser:
            return self.all()
        q = roles.subtree_q("organization__path") or Q(pk__in=[])
        if roles.member is not None:
            q |= Q(pk=roles.member.pk)
        return self.filter(q)


class Member(models.Model):
    class Kind(models.TextChoices):
        LEADING_CADRE = "leading_cadre", _("党员领导干部")
        ON_DUTY = "on_duty", _("在职党员")
        RETIRED = "retired", _("离退休党员")
        MOBILE = "mobile", _("流动党员")
        RURAL = "rural", _("农村无职党员")

    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在党组织")
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    kind = models.CharField(_("党员类别"), max_length=20, choices=Kind.choices)
    probationary = models.BooleanField(_("预备党员"), default=False)
    # Personal data: shown only inside the member's own branch and to the office (see permissions).
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    id_card = models.CharField(_("身份证号"), max_length=18, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("登录账号"),
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["organization_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="unique_member_name_per_org"
            ),
            models.UniqueConstraint(
                fields=["id_card"], condition=~Q(id_card=""), name="unique_member_id_card"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        label = self.get_kind_display()
        if not self.probationary:
            return str(label)
        return gettext("%(kind)s（预备）") % {"kind": label}


class PledgeQuerySet(models.QuerySet):
    def visible_to(self, user) -> PledgeQuerySet:
        """The one place that decides which pledges a user may see."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        roles = roles_of(user)
        q = Q(pk__in=[])
        # Secretaries keep the book: every pledge of their organizations, drafts included.
        manage_q = roles.subtree_q("owner_org__path", kinds=roles.SECRETARY_KINDS)
        if manage_q is not None:
            q |= manage_q
        # Office and leaders see what has been filed with them (approved onwards), and the
        # organizations' own pledges waiting for their approval.
        oversee_q = roles.subtree_q("owner_org__path", kinds=roles.OVERSIGHT_KINDS)
        if oversee_q is not None:
            q |= oversee_q & (
                Q(status__in=Pledge.FILED_STATUSES)
                | Q(status=Pledge.Status.SUBMITTED, owner_member__isnull=True)
            )
        if roles.member is not None:
            q |= Q(owner_member=roles.member)
            q |= Q(owner_org_id=roles.member.organization_id, status__in=Pledge.PUBLIC_STATUSES)
        return self.filter(q)

    def overdue(self, today: datetime.date | None = None) -> PledgeQuerySet:
        today = today or timezone.localdate()
        return self.filter(status__in=Pledge.RUNNING_STATUSES, deadline__lt=today)

    def for_list(self) -> PledgeQuerySet:
        return self.select_related("owner_org", "owner_member")


class Pledge(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("服务承诺")
        PRACTICAL = "practical", _("实事承诺")
        FAULT = "fault", _("改正缺点")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核备案")
        PUBLISHED = "published", _("已亮诺")
        IN_PROGRESS = "in_progress", _("践诺中")
        CLOSED = "closed", _("已销号")
        UNFULFILLED = "unfulfilled", _("未兑现")

    class Half(models.IntegerChoices):
        WHOLE_YEAR = 0, _("全年")
        FIRST = 1, _("上半年")
        SECOND = 2, _("下半年")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
    FILED_STATUSES = (
        Status.APPROVED,
        Status.PUBLISHED,
        Status.IN_PROGRESS,
        Status.CLOSED,
        Status.UNFULFILLED,
    )
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.IN_PROGRESS, Status.CLOSED, Status.UNFULFILLED)
    RUNNING_STATUSES = (Status.APPROVED, Status.PUBLISHED, Status.IN_PROGRESS)
    ENDED_STATUSES = (Status.CLOSED, Status.UNFULFILLED)
    CONTENT_FIELDS = ("kind", "title", "measures", "deadline", "expected_result")

    owner_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("党组织")
    )
    # Empty for the organization's own pledges.
    owner_member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name=_("党员"),
    )
    kind = models.CharField(_("承诺类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("承诺事项"), max_length=200)
    measures = bounded_text(_("践诺措施"))
    deadline = models.DateField(_("完成时限"), validators=[validate_sane])
    expected_result = bounded_text(_("预期效果"))
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(
        _("期间"), choices=Half.choices, default=Half.WHOLE_YEAR
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    return_reason = bounded_text(_("退回原因"), limit=REASON_MAX, blank=True)
    close_result = bounded_text(_("兑现情况"), blank=True)
    closed_on = models.DateField(_("销号日期"), validators=[validate_sane], null=True, blank=True)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_into",
        verbose_name=_("接续的原承诺"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("亮诺时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("销号人"),
    )
    # Bumped by every service write: a form posted from a stale page is refused, not merged.
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("承诺")
        verbose_name_plural = _("承诺")
        ordering = ["owner_org_id", "owner_member_id", "id"]
        indexes = [
            models.Index(fields=["owner_org", "year", "status"]),
            # The coverage dashboard counts a whole year's pledges by organization, member and
            # state: this index answers it without reading the table (bench/dashboard.py).
            models.Index(
                fields=["year", "owner_org", "owner_member", "status"],
                name="pledge_year_org_member",
            ),
            # The overdue list, oldest deadline first: walked in order, a city's first 20 are
            # found in a few index entries instead of sorting its 50,000 running pledges.
            models.Index(
                fields=["deadline", "id"],
                name="pledge_running_deadline",
                condition=Q(status__in=["approved", "published", "in_progress"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(half__in=[0, 1, 2]), name="pledge_half_valid"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="pledge_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pledges:pledge", args=[self.pk])

    @property
    def owner_name(self) -> str:
        return self.owner_member.name if self.owner_member_id else self.owner_org.name

    @property
    def period_label(self) -> str:
        if self.half == self.Half.WHOLE_YEAR:
            return f"{self.year}{_('年')}"
        return f"{self.year}{_('年')}{self.get_half_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.status in self.RUNNING_STATUSES and self.deadline < timezone.localdate()

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class PledgeEvent(models.Model):
    """History: who did what to a pledge and when; amendments carry the old and new values."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        EDIT = "edit", _("修改")
        SUBMIT = "submit", _("提交")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回")
        PUBLISH = "publish", _("亮诺")
        PROGRESS = "progress", _("记实")
        CLOSE = "close", _("销号")
        UNFULFILLED = "unfulfilled", _("认定未兑现")
        CARRY_OVER = "carry_over", _("再承诺")
        AMEND = "amend", _("变更")
        DELETE_RECORD = "delete_record", _("删除记实")

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="events", verbose_name=_("承诺")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    remark = bounded_text(_("备注"), blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"


class ProgressRecord(models.Model):
    """践诺记实: a dated account of what was done, with optional evidence files."""

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="progress_records", verbose_name=_("承诺")
    )
    date = models.DateField(_("日期"), validators=[validate_sane])
    text = bounded_text(_("践诺情况"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.text[:20]}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> EvidenceQuerySet:
        return self.filter(record__pledge__in=Pledge.objects.visible_to(user))


class Evidence(EvidenceFile):
    record = models.ForeignKey(
        ProgressRecord,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("所属记实"),
    )

    objects = EvidenceQuerySet.as_manager()

    def get_absolute_url(self) -> str:
        return reverse("pledges:evidence", args=[self.pk])
