from django.contrib import admin

from .notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The embedded mode's mail, read-only: what would have left, to whom."""

    list_display = ("created_at", "to", "subject")
    search_fields = ("to", "subject")
    readonly_fields = ("created_at", "to", "subject", "body", "html")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
