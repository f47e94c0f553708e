"""Privacy notice, a person's own data (export, erasure request) and the admins' request list."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from knowhow.core.errors import ApplicationError
from knowhow.core.forms import add_service_error
from knowhow.privacy import selectors, services
from knowhow.privacy.models import DataRequest


class ErasureForm(forms.Form):
    confirm = forms.CharField(
        max_length=150, label="Type your username to confirm", help_text="This cannot be undone."
    )


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/notice.html",
        {
            "retention": settings.KNOWHOW["RETENTION_DAYS"],
            "policy": settings.KNOWHOW["ERASURE_POLICY"],
            "deadline_days": settings.KNOWHOW["DATA_REQUEST_DEADLINE_DAYS"],
            "contact": settings.KNOWHOW["PRIVACY_CONTACT"],
        },
    )


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erasure_request_create(user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, "Your erasure request is recorded; an administrator will carry it out."
            )
            return redirect("privacy:my_data")
    return render(
        request,
        "privacy/my_data.html",
        {
            "form": form,
            "open_request": selectors.open_erasure_request(user_id=request.user.pk),
            "policy": settings.KNOWHOW["ERASURE_POLICY"],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def my_data_export(request: HttpRequest) -> HttpResponse:
    archive = services.data_export_build(user=request.user)
    response = HttpResponse(archive, content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="knowhow-my-data-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@staff_member_required
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", DataRequest.Status.OPEN)
    if status not in DataRequest.Status.values:
        status = DataRequest.Status.OPEN
    return render(
        request,
        "privacy/request_list.html",
        {
            "requests": selectors.data_requests_for_admin(status=status),
            "status": status,
            "statuses": DataRequest.Status.choices,
            "now": timezone.now(),
        },
    )


@staff_member_required
@require_POST
def request_carry_out(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = get_object_or_404(DataRequest, pk=pk, kind=DataRequest.Kind.ERASURE)
    services.erasure_request_carry_out(data_request=data_request, by=request.user)
    messages.success(request, f"Person #{data_request.subject_id} has been erased.")
    return redirect("privacy:requests")
