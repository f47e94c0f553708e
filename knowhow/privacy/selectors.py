"""Reads for data protection: requests for the administrators' list."""

from django.db.models import QuerySet

from knowhow.privacy.models import DataRequest


def data_requests_for_admin(*, status: str = DataRequest.Status.OPEN) -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(status=status).order_by("due_at")


def open_erasure_request(*, user_id: int) -> DataRequest | None:
    return DataRequest.objects.filter(
        subject_id=user_id, kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.OPEN
    ).first()
