from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from treebeard.forms import movenodeform_factory

from core.security.services import password_change_require

from . import tallies
from .models import Member, Organization, Pledge, PledgeEvent, Position
from .personal import mask_id_card
from .selectors.office import office_orgs, office_users
from .services.personal import member_id_card_read


class ScopedAdmin(admin.ModelAdmin):
    """Rows limited to the office's subtree for everyone but superusers."""

    scope_lookup = "organization__in"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{self.scope_lookup: office_orgs(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name == "organization":
                kwargs["queryset"] = office_orgs(request.user)
            elif db_field.name == "user":
                kwargs["queryset"] = office_users(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """A flat list in tree order (indented by depth): treebeard's level-by-level tree view
    starts from the roots, which an office scoped to a town never sees."""

    form = movenodeform_factory(Organization)
    list_display = ["indented_name", "level", "field"]
    list_filter = ["level", "field"]
    search_fields = ["name"]
    ordering = ["path"]

    @admin.display(description=_("名称"), ordering="path")
    def indented_name(self, obj: Organization) -> str:
        return "　" * (obj.depth - 1) + obj.name

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk__in=office_orgs(request.user))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A move rewrites the paths of a whole subtree without a signal per row: the counters
        # keep a copy of each path.
        tallies.sync_paths()


@admin.register(Position)
class PositionAdmin(ScopedAdmin):
    list_display = ["user", "organization", "kind"]
    list_select_related = ["organization", "user"]
    list_filter = ["kind"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    """The office's roster. The ID-card number is masked in the list and wherever the row is
    only read; the form that edits it shows it in full, and that reading is logged."""

    list_display = ["name", "organization", "kind", "probationary", "masked_id_card", "user"]
    list_select_related = ["organization", "user"]
    list_filter = ["kind", "probationary"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization", "user"]

    @admin.display(description=_("身份证号"))
    def masked_id_card(self, obj: Member) -> str:
        return mask_id_card(obj.id_card)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return ["masked_id_card" if f == "id_card" else f for f in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            readonly.append("masked_id_card")
        return readonly

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and change and self.has_change_permission(request, obj):
            member_id_card_read(member=obj, by=request.user, request=request)
        return super().render_change_form(request, context, add, change, form_url, obj)


class PledgeEventInline(admin.TabularInline):
    model = PledgeEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "action", "remark", "changes", "at"]


@admin.register(Pledge)
class PledgeAdmin(ScopedAdmin):
    """Read-only: every change to a pledge goes through the services and is recorded."""

    list_display = ["title", "owner_org", "owner_member", "kind", "status", "deadline"]
    list_filter = ["status", "kind", "year"]
    search_fields = ["title", "owner_org__name", "owner_member__name"]
    list_select_related = ["owner_org", "owner_member"]
    scope_lookup = "owner_org__in"
    inlines = [PledgeEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class OfficeUserAdmin(UserAdmin):
    """The office manages the logins of its own subtree, and can never grant staff or
    superuser rights: those fields are not on its form at all."""

    office_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "email")}),
        (_("状态"), {"fields": ("is_active",)}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # Whoever created the login chose its password: the owner sets his own at first login.
            password_change_require(user=obj, request=request)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.office_fieldsets
        return super().get_fieldsets(request, obj)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=office_users(request.user))


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, OfficeUserAdmin)
