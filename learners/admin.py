"""Back office: read-only views. Writes go through the services (and the ledger refuses edits
in the database anyway); the identifier is shown masked, as everywhere but the learner's page."""

from django.contrib import admin

from .models import CreditEntry, Learner, ResultUpload, TransferRule, UnmaskLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Learner)
class LearnerAdmin(ReadOnlyAdmin):
    list_display = ["full_name_th", "masked_identifier", "home_institution", "verified", "user"]
    list_filter = ["verified", "pseudonymised", "identifier_type"]
    search_fields = ["first_name_th", "last_name_th", "first_name_en", "last_name_en"]
    list_select_related = ["home_institution", "user"]
    exclude = ["identifier"]
    readonly_fields = ["masked_identifier"]


@admin.register(CreditEntry)
class CreditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "learner", "kind", "institution", "course_code", "grade",
                    "credits", "passed", "verified"]  # fmt: skip
    list_filter = ["kind", "source", "verified", "passed"]
    search_fields = ["course_code", "course_name_th", "reference"]
    list_select_related = ["learner", "institution"]
    raw_id_fields = ["learner", "reverses"]


@admin.register(ResultUpload)
class ResultUploadAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "institution", "status", "uploaded_at", "uploaded_by"]
    list_filter = ["status"]
    list_select_related = ["institution", "uploaded_by"]


@admin.register(UnmaskLog)
class UnmaskLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "learner", "reason"]
    list_select_related = ["user", "learner"]


@admin.register(TransferRule)
class TransferRuleAdmin(admin.ModelAdmin):
    list_display = ["institution", "level", "min_grade", "max_share", "residency_terms"]
    raw_id_fields = ["institution"]
