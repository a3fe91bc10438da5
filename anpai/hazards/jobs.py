"""Background job kinds of the hazards app (imported by ``anpai.jobs`` at start-up)."""

from anpai.hazards.ledger import JOB_KIND, run_ledger_job
from anpai.jobs.registry import register

register(JOB_KIND, run_ledger_job)
