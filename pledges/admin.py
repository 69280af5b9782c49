from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Member, Organization, Pledge, PledgeEvent, Position


@admin.register(Organization)
class OrganizationAdmin(TreeAdmin):
    form = movenodeform_factory(Organization)
    list_display = ["name", "level", "field"]
    search_fields = ["name"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "kind"]
    list_filter = ["kind"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "kind", "probationary", "user"]
    list_filter = ["kind", "probationary"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization", "user"]


class PledgeEventInline(admin.TabularInline):
    model = PledgeEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "action", "remark", "changes", "at"]


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    """Read-only: every change to a pledge goes through the services and is recorded."""

    list_display = ["title", "owner_org", "owner_member", "kind", "status", "deadline"]
    list_filter = ["status", "kind", "year"]
    search_fields = ["title", "owner_org__name", "owner_member__name"]
    list_select_related = ["owner_org", "owner_member"]
    inlines = [PledgeEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
