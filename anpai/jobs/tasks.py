"""The Celery task that runs a job when a broker is configured."""

from celery import shared_task


@shared_task(name="anpai.jobs.run_job", ignore_result=True)
def run_job(job_id: int) -> None:
    """Claim and run one job (nothing happens if another runner already took it)."""
    from anpai.jobs.runner import run

    run(job_id)
