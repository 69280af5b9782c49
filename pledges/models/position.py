"""Positions and members: the rows a user's roles come from, and `roles_of`, which reads them.

Roles are never a field on the user: they follow from Position rows (secretary, office, leader)
and from a Member row linked to the login. Both point at their organization by the name
"pledges.Organization", not by import: the organization module builds its `visible_to` on
`roles_of`, so this module must not need it (tests/config/test_imports.py checks there is no
circle).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.access import NOTHING

from ..roles import HeldPosition, Roles


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
        "pledges.Organization",
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name=_("党组织"),
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
        return self.filter(visible_q(user, _member_rows))


def _member_rows(roles: Roles) -> Q:
    q = roles.within("organization__path")
    if roles.member is not None:
        q |= Q(pk=roles.member.pk)
    return q


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
        "pledges.Organization",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("所在党组织"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    kind = models.CharField(_("党员类别"), max_length=20, choices=Kind.choices)
    probationary = models.BooleanField(_("预备党员"), default=False)
    # Personal data: only the member's own branch and the office see it (rules.organization).
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


def roles_of(user) -> Roles:
    """The user's roles, read once per request (two queries) and kept on the user object."""
    if not getattr(user, "is_authenticated", False):
        return Roles()
    cached = getattr(user, "_pledge_roles", None)
    if cached is not None:
        return cached
    rows = Position.objects.filter(user=user).values_list(
        "organization__path", "organization_id", "kind", "organization__name"
    )
    kind_labels = dict(Position.Kind.choices)
    positions = [HeldPosition(path, org_id, kind) for path, org_id, kind, _ in rows]
    labels = [(org_id, name, str(kind_labels[kind])) for _, org_id, kind, name in rows]
    member = Member.objects.select_related("organization").filter(user=user).first()
    roles = Roles(is_superuser=user.is_superuser, positions=positions, member=member, labels=labels)
    user._pledge_roles = roles
    return roles


def visible_q(user, rows: Callable[[Roles], Q]) -> Q:
    """The one shape of row access, for every app's `visible_to`: nothing for an anonymous
    user, everything for a superuser, else what `rows(roles)` says."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if user.is_superuser:
        return Q()
    return rows(roles_of(user))
