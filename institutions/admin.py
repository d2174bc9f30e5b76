from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Institution, Membership, Province


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "region", "centre_active"]
    list_filter = ["region", "centre_active"]
    search_fields = ["name_th", "name_en", "slug"]


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_th", "kind", "affiliation", "province", "district", "active"]
    list_filter = ["kind", "affiliation", "active", "extended_opportunity", "province"]
    search_fields = ["code", "ministry_code", "name_th", "name_en"]
    raw_id_fields = ["parent"]
    list_select_related = ["province"]
    readonly_fields = ["tree_path"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "institution", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "institution__name_th", "institution__code"]
    raw_id_fields = ["user", "institution", "created_by"]
