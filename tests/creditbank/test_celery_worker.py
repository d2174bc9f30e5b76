"""A task travels through the real broker to a real Celery worker (CI sets CELERY_BROKER_URL)."""

import os

import pytest

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="CELERY_BROKER_URL is not set: needs a real broker and worker (.ci/run sets redis://)",
    ),
]


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker):
    from celery.contrib.testing.worker import start_worker

    from creditbank.celery import app

    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as running,
    ):
        yield running


@pytest.mark.django_db(transaction=True)
def test_health_task_runs_on_a_real_worker(worker, settings):
    from celery.result import EagerResult

    from creditbank.celery import app
    from creditbank.tasks import health

    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert app.conf.task_always_eager is False
    result = health.delay()
    assert not isinstance(result, EagerResult)  # it went to the broker, not run in-process
    payload = result.get(timeout=30)
    assert payload["database"] is True
    assert result.state == "SUCCESS"
    assert result.id  # a broker round trip gave it an id the backend knows
