"""Background work as deployed: tasks kept in the database (django-tasks-db) and run by the real worker command."""

import signal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from annotator.models import Document
from annotator.services import ingest

from .ingest_files import book, make_pdf

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


STOPS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


def _work():
    # The command installs its own handlers of the stopping signals and leaves them: they are put back, or a later
    # Ctrl+C or SIGTERM to the test run would reach the worker's handler instead of pytest.
    handlers = [signal.getsignal(stop) for stop in STOPS]
    try:
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", verbosity=0)
    finally:
        for stop, handler in zip(STOPS, handlers, strict=True):
            signal.signal(stop, handler)


def test_a_document_waits_in_the_database_until_the_worker_command_makes_it(project, manager):
    extraction = ingest.request_document(user=manager, project=project, name="r.pdf", data=make_pdf(book(3, 1)))
    assert extraction.state == "waiting" and not Document.objects.exists()
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"], task.status) == (
        "annotator.services.ingest.extract_document",
        [extraction.pk],
        "READY",
    )
    _work()
    extraction.refresh_from_db()
    assert extraction.state == "done" and extraction.document.title.startswith("The archives say")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_refused_file_ends_the_task_with_its_reason_on_the_row(project, manager):
    extraction = ingest.request_document(user=manager, project=project, name="r.pdf", data=b"%PDF-1.4 broken")
    _work()
    extraction.refresh_from_db()
    assert extraction.state == "failed" and "This PDF cannot be read" in extraction.message
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"  # a refusal is an answer, not a crash


def test_a_crash_fails_the_task_and_tells_the_page(project, manager, monkeypatch):
    extraction = ingest.request_document(user=manager, project=project, name="r.pdf", data=make_pdf(book(1)))

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest.ingest, "extract", broken)
    _work()
    extraction.refresh_from_db()
    assert extraction.state == "failed" and "Something went wrong on the server (RuntimeError)" in extraction.message
    result = DBTaskResult.objects.get()
    assert result.status == "FAILED" and "disk on fire" in result.traceback
    assert not Document.objects.exists()


def test_a_webhook_delivery_is_sent_by_the_worker_and_a_retry_waits_in_the_database(
    project, manager, annotator, settings
):
    """As deployed: the write queues one task when it commits; the worker sends; a failure queues the next attempt
    for later (run_after), which the worker leaves until it is due."""
    from annotator import services
    from annotator.models import WebhookDelivery
    from annotator.services import webhooks

    from .factories import DocumentFactory
    from .test_services_webhooks import Receiver

    settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES = True
    document = DocumentFactory(project=project)
    with Receiver(fail=1) as receiver:
        webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=["mark.created"])
        start = document.text.index("Stalin")
        label = project.labels.get(key="claim")
        services.annotate(user=annotator, document=document, start=start, end=start + 6, exact="Stalin", label=label)
        [task] = DBTaskResult.objects.all()
        assert task.task_path == "annotator.services.deliveries.deliver_webhooks" and receiver.received == []
        _work()
        delivery = WebhookDelivery.objects.get()
        assert len(receiver.received) == 1 and delivery.state == "waiting" and delivery.attempts == 1
        retry = DBTaskResult.objects.exclude(pk=task.pk).get()
        assert retry.run_after == delivery.next_attempt_at and retry.status == "READY"
        _work()  # not due yet: left alone
        assert len(receiver.received) == 1
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # as if the wait were over
        _work()
    delivery.refresh_from_db()
    assert len(receiver.received) == 2 and delivery.state == "delivered" and delivery.attempts == 2


def test_an_import_is_checked_then_made_by_the_worker_command(project, manager, annotator):
    """As deployed: the upload and the confirmation each queue one task in the database; the worker does the work."""
    from annotator import exchange, services
    from annotator.models import Annotation, ImportUpload
    from annotator.services import import_uploads

    from .factories import DocumentFactory

    document = DocumentFactory(project=project)
    start = document.text.index("Stalin")
    label = project.labels.get(key="claim")
    made = services.annotate(user=annotator, document=document, start=start, end=start + 6, exact="Stalin", label=label)
    data = "".join(exchange.export(Annotation.objects.all(), "csv", raw=True)).encode()
    services.delete_annotation(user=annotator, annotation=made)
    upload = import_uploads.check_import(user=manager, project=project, name="marks.csv", data=data)
    assert upload.state == "checking" and DBTaskResult.objects.get().status == "READY"
    _work()
    upload.refresh_from_db()
    assert upload.state == "checked" and upload.report["created"] == 1 and not Annotation.objects.exists()
    assert import_uploads.confirm_import(user=manager, upload=upload).state == "importing"
    _work()
    upload.refresh_from_db()
    assert upload.state == ImportUpload.State.IMPORTED and Annotation.objects.get().span.exact == "Stalin"
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
