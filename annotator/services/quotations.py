"""The stored quotation checks of citations: made by the writes that change what a check depends on, never by a page.

A citation's check depends on its mark's label (only a Quotation is checked), the mark's text and the source's text.
Every service that changes one of those (citing, a source's text, a mark's label, a mark carried onto other text)
calls refresh_quote_checks in its own transaction; the mark's panel only reads what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from .. import quotes
from ..models import Citation, Source

QUOTATION = "quotation"
# What a quotation citing a source without text stores: nothing to check it against.
NO_TEXT = {"verdict": "no-text"}
# The steps (quotes.Work) one write may spend on quotation checks, about a second: reading each source once, and the
# checks while the worst the next one could take still fits. The first check always runs. Citations past the budget
# are stored as not checked yet (the panel says so, check_integrity lists them, `manage.py check_quotations` or the
# next write that touches them checks them).
WRITE_BUDGET = 3_000_000


@dataclass
class Refreshed:
    checked: int = 0  # citations given a check made now (one per distinct text, shared by citations of the same)
    fresh: int = 0  # citations whose stored check was made on the texts as they are
    cleared: int = 0  # citations of marks that are not quotations, whose check was dropped
    pending: int = 0  # quotations left unchecked: over the budget


def refresh_quote_checks(citations: QuerySet[Citation], *, budget: int | None = WRITE_BUDGET) -> Refreshed:
    """Bring the stored quotation check of each of these citations in line with the texts as they are now.

    A citation of a Quotation mark gets the check of the mark's text against its source's (NO_TEXT when the source has
    none), unless the one stored was made on the same texts; any other citation gets none. Each source's text is read
    once, under a lock, so that a concurrent change of it waits and then checks this citation too. `budget`: see
    WRITE_BUDGET (None: no limit, for commands).
    """
    done = Refreshed()
    with transaction.atomic():
        rows = citations.order_by("pk").values_list(
            "pk", "annotation__label__key", "annotation__span__exact", "source_id", "quote_checked"
        )
        by_source: dict[int, list[tuple[int, str, str]]] = {}
        others = []
        for pk, key, exact, source_id, checked in rows:
            if key == QUOTATION:
                by_source.setdefault(source_id, []).append((pk, exact, checked))
            elif checked:
                others.append(pk)
        if others:
            done.cleared = Citation.objects.filter(pk__in=others).update(quote_check=None, quote_checked="")
        if not by_source:
            return done
        locked = Source.objects.select_for_update(no_key=True).filter(pk__in=by_source).order_by("pk")
        texts = dict(locked.values_list("pk", "full_text"))
        work, changed = quotes.Work(), []
        for source_id, group in sorted(by_source.items()):
            text = texts[source_id]
            digest = quotes.source_digest(text)
            wanted: dict[str, list[tuple[int, str, str]]] = {}  # the mark's text -> its stale citations
            for pk, exact, checked in group:
                key = quotes.check_digest(exact, digest)
                if checked == key:
                    done.fresh += 1
                else:
                    wanted.setdefault(exact, []).append((pk, key, checked))
            if not wanted:
                continue
            if text.strip():
                results = quotes.check_quotations(list(wanted), text, budget=budget, work=work)
                stored = [result.stored() if result is not None else None for result in results]
            else:
                stored = [NO_TEXT] * len(wanted)
            for kept, stale in zip(stored, wanted.values()):
                for pk, key, checked in stale:
                    if kept is None:
                        done.pending += 1
                        if checked:  # a check made on other texts is not shown as this one's
                            changed.append(Citation(pk=pk, quote_check=None, quote_checked=""))
                    else:
                        done.checked += 1
                        changed.append(Citation(pk=pk, quote_check=kept, quote_checked=key))
        Citation.objects.bulk_update(changed, ["quote_check", "quote_checked"], batch_size=500)
    return done
