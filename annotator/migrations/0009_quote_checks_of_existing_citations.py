"""The citations of quotation marks made before checks were stored get theirs (issue 18): pages only read them now."""
from django.db import migrations


def check_existing(apps, schema_editor):
    # The pure checker (annotator.quotes: no models) as it stands when this runs; a later change of it raises
    # quotes.CHECKER_VERSION, and `manage.py check_quotations` makes the checks it makes stale again.
    from annotator import quotes

    Citation = apps.get_model("annotator", "Citation")
    Source = apps.get_model("annotator", "Source")
    rows = (
        Citation.objects.filter(annotation__label__key="quotation")
        .order_by("source_id", "pk")
        .values_list("pk", "annotation__span__exact", "source_id")
    )
    by_source: dict[int, list[tuple[int, str]]] = {}
    for pk, exact, source_id in rows:
        by_source.setdefault(source_id, []).append((pk, exact))
    for source_id, group in by_source.items():
        text = Source.objects.values_list("full_text", flat=True).get(pk=source_id)
        digest = quotes.source_digest(text)
        distinct = list(dict.fromkeys(exact for _, exact in group))
        if text.strip():
            stored = {exact: check.stored() for exact, check in zip(distinct, quotes.check_quotations(distinct, text))}
        else:
            stored = dict.fromkeys(distinct, {"verdict": "no-text"})
        changed = [
            Citation(pk=pk, quote_check=stored[exact], quote_checked=quotes.check_digest(exact, digest))
            for pk, exact in group
        ]
        Citation.objects.bulk_update(changed, ["quote_check", "quote_checked"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0008_citation_quote_check"),
    ]

    operations = [migrations.RunPython(check_existing, migrations.RunPython.noop)]
