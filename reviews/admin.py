"""Admin pages for looking things up. Reviews, items and letters change only through
reviews/services.py (rules, history), so their admin pages are read-only."""

from django.contrib import admin

from .models import (
    RectificationEvent,
    RectificationItem,
    Review,
    ReviewAmendment,
    SelfEvaluation,
    SuggestionLetter,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ItemInline(ReadOnlyInline):
    model = RectificationItem
    fields = ["problem", "target", "measures", "responsible", "deadline", "status"]


class AmendmentInline(ReadOnlyInline):
    model = ReviewAmendment
    fields = ["at", "by", "reason", "changes"]


class EventInline(ReadOnlyInline):
    model = RectificationEvent
    fields = ["at", "actor", "action", "remark"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["subject_key", "organization", "member", "year", "quarter", "reviewer",
                    "mode", "grade", "status"]  # fmt: skip
    list_filter = ["status", "mode", "grade", "subject_kind", "year", "quarter"]
    search_fields = ["organization__name", "member__name", "reviewer__username"]
    list_select_related = ["organization", "member", "reviewer"]
    inlines = [ItemInline, AmendmentInline]


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["subject_key", "organization", "member", "year", "quarter", "status"]
    list_filter = ["status", "subject_kind", "year", "quarter"]
    search_fields = ["organization__name", "member__name"]
    list_select_related = ["organization", "member"]


@admin.register(RectificationItem)
class RectificationItemAdmin(ReadOnlyAdmin):
    list_display = ["problem", "organization", "member", "responsible", "deadline", "status"]
    list_filter = ["status"]
    search_fields = ["problem", "organization__name", "member__name"]
    list_select_related = ["organization", "member"]
    inlines = [EventInline]


@admin.register(SuggestionLetter)
class SuggestionLetterAdmin(ReadOnlyAdmin):
    list_display = ["number", "member", "organization", "reason", "deadline", "status"]
    list_filter = ["status", "reason"]
    search_fields = ["number", "member__name", "organization__name"]
    list_select_related = ["member", "organization"]
