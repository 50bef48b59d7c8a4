"""Celery tasks for cohorts: thin, take ids, safe to run twice."""

from celery import shared_task

from cohorts import notices, services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notice_send_task(*, notice_id: int) -> bool:
    return notices.notice_send(notice_id=notice_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def cohort_evaluate_completion_task(*, cohort_id: int) -> int:
    return len(services.cohort_evaluate_completion(cohort_id=cohort_id))


@shared_task
def seat_offers_expire_task() -> int:
    return len(services.seat_offers_expire())


@shared_task
def notice_sweep_task() -> int:
    return len(notices.notice_sweep())


@shared_task
def cohort_reminders_task() -> int:
    return len(notices.reminders_queue())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sign_in_sheet_task(*, session_id: int) -> bool:
    from cohorts.services_attendance import sign_in_sheet_render

    return sign_in_sheet_render(session_id=session_id).is_current
