"""Celery tasks for cohorts: thin, take ids, safe to run twice."""

from celery import shared_task

from cohorts import notices
from cohorts.models import Notice
from cohorts.services.completion import cohort_evaluate_completion
from cohorts.services.seats import seat_offers_expire
from core.outbox import outbox_hooks_register


class NoticeNotSent(Exception):
    """This attempt failed (the reason is on the notice); the outbox tries again."""


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notice_send_task(*, notice_id: int) -> bool:
    if notices.notice_send(notice_id=notice_id):
        return True
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        return True  # gone meanwhile: nothing left to do
    raise NoticeNotSent(notice.last_error)


outbox_hooks_register(notice_send_task, on_send_again=notices.notice_reopen)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def cohort_evaluate_completion_task(*, cohort_id: int) -> int:
    return len(cohort_evaluate_completion(cohort_id=cohort_id))


@shared_task
def seat_offers_expire_task() -> int:
    return len(seat_offers_expire())


@shared_task
def cohort_reminders_task() -> int:
    return len(notices.reminders_queue())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sign_in_sheet_task(*, session_id: int) -> bool:
    from cohorts.services.attendance import sign_in_sheet_render

    return sign_in_sheet_render(session_id=session_id).is_current
