from django.contrib import admin

from .models import Geofence, GuardianTraining, Permit, PermitChain


@admin.register(Permit)
class PermitAdmin(admin.ModelAdmin):
    """Read-only: permits change only through their services (4.18, audit trail)."""

    list_display = ("number", "kind", "level", "status", "site", "planned_start")
    list_filter = ("kind", "status")
    search_fields = ("number", "place")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Geofence)
admin.site.register(GuardianTraining)
admin.site.register(PermitChain)
