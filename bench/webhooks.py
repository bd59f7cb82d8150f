"""What webhooks cost a bulk write: 10,000 marks made in one call with no hook, one hook and two hooks (issue 23).

    .venv/bin/python -m bench.webhooks [--marks 10000] [--runs 3]

SQLite in a temporary folder (or DATABASE_URL's database, flushed first). Each run makes the marks on a fresh
document in one transaction, as a request would, and prints the whole write's median time, the part of it spent in
deliveries.emit (building the items and the bodies, one INSERT of the deliveries), how many deliveries and how many
INSERT statements of them it made; then how long the worker takes to make a delivery's body. Nothing is sent.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from .export_bench import production_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--marks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    os.environ.update(production_env(tempfile.mkdtemp(prefix="annotator-webhooks-")))
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from annotator import services
    from annotator.models import Role, WebhookDelivery
    from annotator.services import deliveries, webhooks
    from tests.factories import MembershipFactory, ProjectFactory, UserFactory

    from .run import prepare_database

    prepare_database(print)
    project = ProjectFactory(name="Webhooks")
    user = UserFactory(username="bench-manager")
    MembershipFactory(user=user, project=project, role=Role.MANAGER)
    label = project.labels.get(key="claim")
    text = "".join(f"Line {i}: did Stalin want mass terror?\n" for i in range(options.marks))
    emitting = []
    real_emit = deliveries.emit

    def timed_emit(*args, **kwargs):
        began = time.perf_counter()
        real_emit(*args, **kwargs)
        emitting.append(time.perf_counter() - began)

    deliveries.emit = timed_emit  # the services call it as deliveries.emit: this is what they reach
    for hooks in (0, 1, 2):
        for n in range(hooks - len(project.webhooks.all())):
            webhooks.add_webhook(user=user, project=project, url=f"https://93.184.216.34/{n}", events=["mark.created"])
        totals, emits, made, inserts = [], [], 0, 0
        for run in range(options.runs):
            document = services.add_document(user=user, project=project, title=f"{hooks} hooks, run {run}", text=text)
            marks = []
            at = 0
            for _ in range(options.marks):
                at = text.index("Stalin", at + 1)
                marks.append(services.NewMark(start=at, end=at + 6, exact="Stalin", label=label))
            before = WebhookDelivery.objects.count()
            emitting.clear()
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as queries, transaction.atomic():
                services.bulk_annotate(user=user, document=document, marks=marks, cap=None)
            totals.append(time.perf_counter() - began)
            emits.append(sum(emitting))
            made = WebhookDelivery.objects.count() - before
            inserts = sum('INSERT INTO "annotator_webhookdelivery"' in q["sql"] for q in queries.captured_queries)
        print(
            f"{options.marks:,} marks, {hooks} hook(s): write {statistics.median(totals) * 1000:.0f} ms, "
            f"of it emit {statistics.median(emits) * 1000:.1f} ms; {made} deliveries in {inserts} INSERT",
            flush=True,
        )
    # What the worker does first for each: the body made from the 500 marks it names, as they are now.
    pending = list(WebhookDelivery.objects.select_related("webhook").exclude(refs=None).order_by("pk")[:20])
    began = time.perf_counter()
    sizes = [len(deliveries._made_body(delivery)) for delivery in pending]
    each = (time.perf_counter() - began) * 1000 / max(1, len(pending))
    print(
        f"a delivery's body made from its ids when first sent: {each:.0f} ms each ({statistics.median(sizes):,.0f} bytes)"
    )


if __name__ == "__main__":
    main()
