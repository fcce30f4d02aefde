from django.contrib import admin

from .models import ChecklistItem, ContractorWorker, Course


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("site", "worker_kind", "kind", "name", "expires", "is_active")

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the services (audited, standings recomputed)


@admin.register(ContractorWorker)
class ContractorWorkerAdmin(admin.ModelAdmin):
    list_display = ("person", "worker_kind", "subject", "admitted", "documents_until")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "site", "is_published")

    def has_change_permission(self, request, obj=None):
        return False
