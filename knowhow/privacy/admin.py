from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from knowhow.privacy.models import DataRequest


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject_id", "status", "requested_at", "due_at", "completed_at")
    list_filter = ("kind", "status")
    readonly_fields = ("kind", "user", "subject_id", "requested_at", "completed_at", "handled_by")
    actions = ["carry_out_erasure"]

    @admin.action(description="Carry out the selected erasure requests")
    def carry_out_erasure(self, request: HttpRequest, queryset: QuerySet[DataRequest]) -> None:
        from knowhow.privacy.services import erasure_request_carry_out

        done = 0
        for data_request in queryset.filter(kind=DataRequest.Kind.ERASURE, status="open"):
            erasure_request_carry_out(data_request=data_request, by=request.user)
            done += 1
        messages.success(request, f"Carried out {done} erasure request(s).")
