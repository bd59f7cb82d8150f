"""check_integrity finds what is wrong in stored data, and nothing in data the services wrote."""

import pytest
from django.core.management import CommandError, call_command

from annotator import services
from annotator.models import Annotation, Document, Span
from annotator.services import versions

from .factories import ProjectFactory


@pytest.fixture
def marked(document, annotator, manager, labels):
    for start in (0, 4, 30):
        services.annotate(
            user=annotator,
            document=document,
            start=start,
            end=start + 3,
            exact=document.text[start : start + 3],
            label=labels["claim"],
        )
    versions.add_version(user=manager, document=document, text="Preface.\n" + document.text)
    return document


def test_data_written_by_the_services_has_no_problems(marked, capsys):
    call_command("check_integrity")
    assert "No problems found." in capsys.readouterr().out


def test_it_reports_a_span_whose_text_no_longer_matches(marked, capsys):
    Span.objects.filter(version=2).update(exact="zzz")
    # Three spans, and the search entries of their three marks, which still hold the text the spans had.
    with pytest.raises(CommandError, match="6 problem"):
        call_command("check_integrity")
    out = capsys.readouterr().out
    assert out.count("Span ") == 3 and out.count("Search index: Mark") == 3


def test_it_reports_a_label_of_another_project_and_a_text_out_of_step(marked, capsys):
    Annotation.objects.filter(pk=Annotation.objects.first().pk).update(label=ProjectFactory(name="Else").labels.first())
    Document.objects.filter(pk=marked.pk).update(text="changed behind the app's back " + marked.text)
    with pytest.raises(CommandError):
        call_command("check_integrity")
    out = capsys.readouterr().out
    assert "label belongs to another project" in out
    assert "not its newest stored version" in out


def test_it_reports_a_link_whose_mark_is_in_another_project(marked, annotator, labels, capsys):
    from annotator.models import Link, LinkType
    from annotator.services import links

    a, b = Annotation.objects.filter(span__version=2)[:2]
    link = links.create_link(
        user=annotator,
        from_annotation=a,
        to_annotation=b,
        type=LinkType.objects.get(project=marked.project, key="same-as"),
    )
    call_command("check_integrity")
    assert "No problems found." in capsys.readouterr().out
    Link.objects.filter(pk=link.pk).update(project=ProjectFactory(name="Another"))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("check_integrity")
    assert f"Link {link.pk}:" in capsys.readouterr().out


def test_it_reports_a_source_whose_date_issued_is_not_a_date(project, capsys):
    from annotator.models import Source

    from .factories import SourceFactory

    source = SourceFactory(project=project, issued="1937")
    call_command("check_integrity")
    Source.objects.filter(pk=source.pk).update(issued={"date-parts": [["spring"]]})
    with pytest.raises(CommandError, match="1 problem"):
        call_command("check_integrity")
    assert f"Source {source.pk}: “issued” has date parts that are not numbers" in capsys.readouterr().out
