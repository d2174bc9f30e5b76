from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
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

    def save_model(self, request, obj, form, change):
        # Go through the services so the hierarchy path stays right after a back-office edit.
        data = {
            name: form.cleaned_data[name]
            for name in services.INSTITUTION_FIELDS
            if name in form.cleaned_data
        }
        if change:
            services.institution_update(
                actor=request.user, institution=Institution.objects.get(pk=obj.pk), **data
            )
        else:
            created = services.institution_create(actor=request.user, **data)
            obj.pk = created.pk


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "institution", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "institution__name_th", "institution__code"]
    raw_id_fields = ["user", "institution", "created_by"]
