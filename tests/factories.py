"""One factory per model. Spans are cut from their document's text with the functions production uses."""

import factory
from django.contrib.auth import get_user_model

from annotator import bibliography, services
from annotator import text as textlib
from annotator.models import Annotation, Citation, Document, Label, Membership, Project, Role, Source, Span
from annotator.services import search_index
from annotator.services.quotations import refresh_quote_checks

SAMPLE_TEXT = (
    "Did Stalin want “mass terror”? 😀 The archives say more than one thing.\n"
    "\u00a0\n"
    "Getty argues the centre restrained local zeal; others disagree.\n"
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests")


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project made the way the app makes one: with its default labels."""

    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_project(name=kwargs["name"], description=kwargs.get("description", ""))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    role = Role.ANNOTATOR


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label

    project = factory.SubFactory(ProjectFactory)
    key = factory.Sequence(lambda n: f"label-{n}")
    name = factory.Sequence(lambda n: f"Label {n}")
    colour = "#aabbcc"
    shortcut = ""
    order = 10


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    text = SAMPLE_TEXT
    origin = "sample.txt"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # With its search entries, as add_document makes them: production has no document without them.
        document = super()._create(model_class, *args, **kwargs)
        search_index.index_document(document)
        return document


class SpanFactory(factory.django.DjangoModelFactory):
    """A span of its document's text; exact, prefix and suffix are read from the text, never made up."""

    class Meta:
        model = Span
        django_get_or_create = ["document", "start", "end"]

    document = factory.SubFactory(DocumentFactory)
    start = 0
    end = factory.LazyAttribute(lambda o: min(len(o.document.text), o.start + 10))
    exact = factory.LazyAttribute(lambda o: o.document.text[o.start : o.end])
    prefix = factory.LazyAttribute(lambda o: textlib.quote_context(o.document.text, o.start, o.end)[0])
    suffix = factory.LazyAttribute(lambda o: textlib.quote_context(o.document.text, o.start, o.end)[1])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        textlib.check_span(kwargs["document"].text, kwargs["start"], kwargs["end"], kwargs["exact"])
        return super()._create(model_class, *args, **kwargs)


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    span = factory.SubFactory(SpanFactory)
    label = factory.LazyAttribute(lambda o: o.span.document.project.labels.get(key="claim"))
    created_by = factory.SubFactory(UserFactory)
    note = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        annotation = super()._create(model_class, *args, **kwargs)
        search_index.index_marks([annotation.pk])  # as the services index every mark they make
        return annotation


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    project = factory.SubFactory(ProjectFactory)
    type = "article-journal"
    title = factory.Sequence(lambda n: f"Source {n}")
    authors = factory.LazyFunction(lambda: [{"family": "Getty", "given": "J. Arch"}])
    issued = "2002"

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # A date given as text ("1937-03"), as people type it, is stored as the CSL date the services make of it.
        if isinstance(kwargs.get("issued"), str):
            kwargs["issued"] = bibliography.CSLDate(bibliography.parse_date(kwargs["issued"]))
        return kwargs

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        source = super()._create(model_class, *args, **kwargs)
        search_index.index_sources([source.pk])  # as the services index every source they make
        return source


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    annotation = factory.SubFactory(AnnotationFactory)
    source = factory.LazyAttribute(lambda o: SourceFactory(project=o.annotation.span.document.project))
    locator = "pp. 113-138"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # With its quotation check, as the services store one.
        citation = super()._create(model_class, *args, **kwargs)
        refresh_quote_checks(Citation.objects.filter(pk=citation.pk))
        citation.refresh_from_db(fields=["quote_check", "quote_checked"])
        return citation
