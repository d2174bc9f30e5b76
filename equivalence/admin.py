from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import EquivalenceMapping, MappingCourse, TransferDemand


class MappingCourseInline(admin.TabularInline):
    model = MappingCourse
    raw_id_fields = ["course"]
    extra = 0


@admin.register(EquivalenceMapping)
class EquivalenceMappingAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "province", "kind", "direction", "status", "proposed_by", "decided_by"]
    list_filter = ["status", "kind", "province"]
    inlines = [MappingCourseInline]
    raw_id_fields = ["proposed_by", "decided_by"]


@admin.register(TransferDemand)
class TransferDemandAdmin(admin.ModelAdmin):
    list_display = [
        "course",
        "target_institution",
        "request_count",
        "first_requested_at",
        "resolved_at",
    ]
    raw_id_fields = ["course", "target_institution"]
