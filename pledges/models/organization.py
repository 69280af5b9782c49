"""The Party organization tree (党委 … 党小组), stored as a materialized path."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from ..roles import Roles
from .position import roles_of, visible_q


class OrganizationQuerySet(MP_NodeQuerySet):
    def subtree_of(self, org: Organization) -> OrganizationQuerySet:
        """The organization and everything under it: one indexed prefix query on `path`."""
        return self.filter(path__startswith=org.path)

    def scope_of(self, user) -> OrganizationQuerySet:
        """Every organization the user may look at as secretary, office or leader."""
        return self.filter(roles_of(user).within("path"))

    def visible_to(self, user) -> OrganizationQuerySet:
        """The user's scope, and a member's own branch (read only: see rules)."""
        return self.filter(visible_q(user, _organization_rows))


def _organization_rows(roles: Roles) -> Q:
    q = roles.within("path")
    if roles.member is not None:
        q |= Q(pk=roles.member.organization_id)
    return q


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
