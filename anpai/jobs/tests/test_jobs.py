"""Background jobs: owner-only pages and downloads, claiming exactly once, the runners."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from anpai.jobs import runner
from anpai.jobs.models import Job, JobState
from anpai.jobs.registry import JobOutput, UnknownJobKind, function_for, register


@register("test_echo")
def _echo(job, progress):
    progress(1, 2, force=True)
    text = job.params.get("text", "")
    if text == "boom":
        raise RuntimeError("the job broke")
    if text == "nothing":
        return None
    return JobOutput(io.BytesIO(text.encode()), "回声.txt", "text/plain")


def _job(user, text="hello", **extra) -> Job:
    return Job.objects.create(kind="test_echo", user=user, params={"text": text}, **extra)


def test_registry_knows_registered_kinds_and_refuses_others():
    assert function_for("test_echo") is _echo
    assert function_for("hazard_ledger").__name__ == "run_ledger_job"  # autodiscovered
    with pytest.raises(UnknownJobKind):
        function_for("no_such_job")


def test_run_stores_the_result_and_a_job_runs_only_once(demo):
    job = _job(demo["township"])
    assert runner.run(job.pk) is True
    assert runner.run(job.pk) is False  # already claimed: nothing happens twice
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert job.started_at
    assert job.finished_at
    assert job.result_name == "回声.txt"
    with job.result.open("rb") as handle:
        assert handle.read() == b"hello"
    assert "回声" not in job.result.name  # stored under a random, ASCII name


def test_a_failing_job_is_marked_failed_with_its_error(demo):
    job = _job(demo["township"], text="boom")
    runner.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "RuntimeError: the job broke"
    assert not job.result


def test_unknown_kind_fails_instead_of_crashing(demo):
    job = Job.objects.create(kind="vanished", user=demo["township"])
    runner.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "vanished" in job.error


def test_run_pending_command_runs_each_queued_job_once(demo):
    jobs = [_job(demo["township"], text=str(n)) for n in range(3)]
    done = _job(demo["township"], state=JobState.DONE)
    out = io.StringIO()
    call_command("jobs", "run-pending", stdout=out)
    assert "3 job(s) run" in out.getvalue()
    assert set(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("state", flat=True)) == {
        JobState.DONE
    }
    assert Job.objects.get(pk=done.pk).finished_at is None  # untouched
    out = io.StringIO()
    call_command("jobs", "run-pending", stdout=out)
    assert "0 job(s) run" in out.getvalue()


def test_stale_running_jobs_are_failed(demo):
    stale = _job(
        demo["township"],
        state=JobState.RUNNING,
        started_at=timezone.now() - timedelta(hours=3),
    )
    recent = _job(demo["township"], state=JobState.RUNNING, started_at=timezone.now())
    assert runner.fail_stale(timedelta(hours=1)) == 1
    assert Job.objects.get(pk=stale.pk).state == JobState.FAILED
    assert Job.objects.get(pk=recent.pk).state == JobState.RUNNING


def test_a_job_without_a_file_is_done_without_a_download(demo, login):
    job = _job(demo["township"], text="nothing")
    runner.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert login("township").get(f"/jobs/{job.pk}/download/").status_code == 404


def test_pages_and_download_are_the_owners_only(demo, login, client):
    job = _job(demo["township"])
    runner.run(job.pk)
    owner = login("township")
    page = owner.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    assert f"/jobs/{job.pk}/download/" in page.content.decode()
    response = owner.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello"
    assert "filename*=utf-8''%E5%9B%9E%E5%A3%B0.txt" in response["Content-Disposition"]
    assert str(job.pk) in owner.get("/jobs/").content.decode()
    # Anyone else, even an administrator, gets 404 as if the job did not exist.
    for username in ("leader", "admin", "ent1"):
        other = login(username)
        assert other.get(f"/jobs/{job.pk}/").status_code == 404
        assert other.get(f"/jobs/{job.pk}/download/").status_code == 404
        assert f"/jobs/{job.pk}/" not in other.get("/jobs/").content.decode()
    client.logout()
    assert client.get(f"/jobs/{job.pk}/").status_code == 302  # to the login page


def test_a_running_job_polls_and_a_finished_one_stops(demo, login):
    job = _job(demo["township"], state=JobState.RUNNING, progress_done=40, progress_total=100)
    client = login("township")
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'value="40"' in html
    assert "<html" not in html  # the fragment only
    assert fragment["Cache-Control"].startswith("max-age=0")
    Job.objects.filter(pk=job.pk).update(state=JobState.DONE)
    html = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html


def test_api_shows_own_jobs_only(demo, api):
    job = _job(demo["ent1"])
    runner.run(job.pk)
    body = api("ent1").get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["state"] == "done"
    assert body["download"].endswith(f"/api/v1/jobs/{job.pk}/download/")
    assert api("ent2").get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert api("ent2").get(f"/api/v1/jobs/{job.pk}/download/").status_code == 404


def test_with_a_broker_the_job_goes_to_celery(demo, settings, django_capture_on_commit_callbacks):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    with (
        mock.patch("anpai.jobs.tasks.run_job.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = runner.create("test_echo", user=demo["township"], params={})
    delay.assert_called_once_with(job.pk)


def test_nothing_is_dispatched_before_commit(demo, settings, django_capture_on_commit_callbacks):
    settings.CELERY_BROKER_URL = ""
    with (
        mock.patch("anpai.jobs.runner.threading.Thread") as thread,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        runner.create("test_echo", user=demo["township"], params={})
    thread.assert_not_called()
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_the_thread_runner_completes_a_job(demo, settings):
    settings.CELERY_BROKER_URL = ""
    job = runner.create("test_echo", user=demo["township"], params={"text": "threaded"})
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.05)
    assert job.state == JobState.DONE, job.error
    with job.result.open("rb") as handle:
        assert handle.read() == b"threaded"
