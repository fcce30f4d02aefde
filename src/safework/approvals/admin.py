from django.contrib import admin

from .models import ApprovalInstance, ChainTemplate


@admin.register(ChainTemplate)
class ChainTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "subject_kind", "is_active")


@admin.register(ApprovalInstance)
class ApprovalInstanceAdmin(admin.ModelAdmin):
    list_display = ("title", "subject_kind", "state", "round", "created_at")
    list_filter = ("state", "subject_kind")

    def has_change_permission(self, request, obj=None):
        return False  # decisions go through the services (audited)
