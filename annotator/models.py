"""The data model: projects and their members, labels, documents, spans, annotations, sources, citations."""

from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from . import anchoring, bibliography
from .ingest import pages
from .text import isolated


class Role(models.TextChoices):
    ANNOTATOR = "annotator", "Annotator"
    REVIEWER = "reviewer", "Reviewer"
    MANAGER = "manager", "Manager"


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


# A mark or link waiting for review carries no review: who reviewed it, when and why belong to a decision that
# stands. One sent back to pending keeps its old review in its history only.
PENDING_HAS_NO_REVIEW = ~Q(status=Status.PENDING) | Q(
    reviewed_by__isnull=True, reviewed_at__isnull=True, review_note=""
)


PLACEMENT_CHOICES = [
    ("made", "Made on this version"),
    ("unchanged", "Carried unchanged"),
    ("shifted", "Carried, shifted"),
    ("refound", "Re-found by its text"),
    ("ambiguous", "Ambiguous: check"),
    ("fuzzy", "Found fuzzily: check"),
    ("orphaned", "Orphaned: re-attach"),
    ("reattached", "Re-attached by hand"),
]
# The placements a reviewer must check: anchoring's rules say which.
FLAGGED_PLACEMENTS = frozenset(rule.value for rule in anchoring.Rule if rule.flagged)


class Tracked(models.Model):
    """A model whose every change is in its history (django-simple-history). A service says who made a change, and
    why when it is not the user's own edit, on the instance before saving it: simple-history's documented
    `_history_user` and `_change_reason` (annotated here so that type checks know them)."""

    _history_user: Any
    _change_reason: str | None

    class Meta:
        abstract = True


class Project(Tracked):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    snap_to_words = models.BooleanField(
        "Snap selections to whole words",
        default=True,
        help_text="A selection that starts or ends inside a word takes the whole word, and white space at its ends is "
        "dropped. Untick it to mark exactly the characters selected (editors can also hold Shift as they mark).",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="projects")
    guidelines = models.TextField(
        blank=True, help_text="Annotation guidelines in Markdown (no HTML; links http and https only)."
    )
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text="When set, the project is read-only and hidden from lists; exports still work."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return isolated(self.name)  # as the admin puts it in its sentences

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Membership(Tracked):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ANNOTATOR)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="membership_one_per_user_project"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} in {self.project} ({self.role})"


class Label(Tracked):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    key = models.SlugField(max_length=40, help_text="Stable machine name, used in exports (e.g. 'claim').")
    name = models.CharField(max_length=80, help_text="Shown on buttons and in the panel (e.g. 'Claim').")
    colour = models.CharField(
        max_length=7,
        default="#f6d365",
        help_text="Highlight colour as #rrggbb.",
    )
    shortcut = models.CharField(max_length=1, blank=True, help_text="One key that applies this label to a selection.")
    order = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(
        default=False, help_text="A retired label stays on its marks and in exports, but is no longer offered."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="label_key_unique_in_project"),
            models.UniqueConstraint(
                fields=["project", "shortcut"],
                condition=~Q(shortcut=""),
                name="label_shortcut_unique_in_project",
            ),
            models.CheckConstraint(condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="label_colour_hex"),
        ]

    def __str__(self):
        return self.name


class DocumentQuerySet(models.QuerySet):
    def of_member(self, user, *, text: bool = True):
        """Documents of the user's projects, each with its project and the user's `membership_id` and
        `membership_role`; the text left to be read when first used unless `text`."""
        found = (
            self.select_related("project")
            .filter(project__memberships__user=user)
            .annotate(membership_id=F("project__memberships__id"), membership_role=F("project__memberships__role"))
        )
        return found if text else found.defer("text")


class Document(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=300)
    text = models.TextField(help_text="The current text. Offsets of spans are code points into it.")
    origin = models.CharField(max_length=500, blank=True, help_text="File name or URL the text came from.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveBigIntegerField(
        default=0, help_text="Bumped on every change to the document's marks; open pages poll it."
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Number of the current version of the text; earlier ones are DocumentVersions."
    )
    source = models.ForeignKey(
        "Source",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
        help_text="The bibliography's entry for this document (made from a web page's or a file's metadata).",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["project", "title"])]

    def __str__(self):
        return isolated(self.title)  # as the admin puts it in its sentences


class Span(models.Model):
    """A region of one document, shared by every annotation on exactly that region."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="spans")
    version = models.PositiveIntegerField(default=1, help_text="The version of the text the offsets refer to.")
    start = models.PositiveIntegerField(help_text="Code-point offset of the first character.")
    end = models.PositiveIntegerField(help_text="Code-point offset just past the last character.")
    exact = models.TextField(help_text="The marked text: document.text[start:end].")
    prefix = models.CharField(max_length=32, blank=True, help_text="Up to 32 code points before the span.")
    suffix = models.CharField(max_length=32, blank=True, help_text="Up to 32 code points after the span.")
    length = models.GeneratedField(
        expression=F("end") - F("start"),
        output_field=models.PositiveIntegerField(),
        db_persist=True,
        help_text="end - start, kept by the database: finding the marks of a stretch of text looks up long spans by "
        "it.",
    )

    class Meta:
        # No default ordering: it would join and sort on every read of spans; readers order what they list.
        indexes = [models.Index(fields=["document", "version", "length"], name="span_by_length")]
        constraints = [
            models.UniqueConstraint(fields=["document", "version", "start", "end"], name="span_unique_region"),
            models.CheckConstraint(condition=Q(start__gte=0) & Q(start__lt=F("end")), name="span_start_before_end"),
        ]

    def __str__(self):
        return f"{self.document_id}:{self.start}-{self.end}"


# Spans longer than this are few: the marks of a stretch of text look them up by their length (overlapping()).
SHORT_SPAN = 2_000


def _count_of(rows):
    """How many of `rows` there are for the outer row, as a subquery: no GROUP BY over the whole document, so a
    page of a list is read in index order and stops at its last entry."""
    return Coalesce(Subquery(rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")), 0)


class AnnotationQuerySet(models.QuerySet):
    """The reads of marks that more than one place makes: written once here."""

    def current(self, document: "Document | None" = None):
        """Marks of the current version of the document's text (of every document's, when none is given)."""
        if document is None:
            return self.filter(span__version=F("span__document__version"))
        return self.filter(span__document=document, span__version=document.version)

    def of_version(self, document: "Document", number: int):
        """Marks made on, or carried to, that version of the document's text."""
        return self.filter(span__document=document, span__version=number)

    def in_text_order(self):
        return self.order_by("span__start", "span__end", "id")

    def with_document(self):
        """Each mark with its span and document, without the document's text (every row would bring a copy)."""
        return self.select_related("span__document").defer("span__document__text")

    def with_context(self):
        """Each mark with its span, document (without its text), project, label, author and reviewer: what a
        panel, a queue or a list of marks across documents shows of a mark."""
        return self.with_document().select_related("span__document__project", "label", "created_by", "reviewed_by")

    def for_list(self):
        """What a list entry shows: span, label, author, and how many sources and links the mark has."""
        return self.select_related("span", "label", "created_by").annotate(
            source_count=_count_of(Citation.objects.filter(annotation=OuterRef("pk"))),
            link_count=_count_of(
                Link.objects.filter(Q(from_annotation=OuterRef("pk")) | Q(to_annotation=OuterRef("pk")))
            ),
        )

    def for_blocks(self):
        """What a marked piece of the text shows of each mark, as plain values in text order: (id, span id, start,
        end, label id, label name, author's username). No objects made: the document page's hot read."""
        return self.in_text_order().values_list(
            "id", "span_id", "span__start", "span__end", "label_id", "label__name", "created_by__username"
        )

    def overlapping(self, document: "Document", stretches):
        """Marks of the document's current version whose span overlaps any of the [start, end) stretches.

        Said so that an index answers it without reading every span before a stretch's end: a short span that
        overlaps starts at most SHORT_SPAN before the stretch (index on document, version, start); the few long
        ones are found by their length (index on document, version, length).
        """
        wanted = Q()
        for start, end in stretches:
            # The document and version in each branch: SQLite answers the OR with one index search per branch.
            here = Q(span__document=document, span__version=document.version, span__start__lt=end, span__end__gt=start)
            wanted |= here & Q(span__start__gte=start - SHORT_SPAN) | here & Q(span__length__gt=SHORT_SPAN)
        return self.filter(wanted) if stretches else self.none()

    def orphaned(self, document: "Document"):
        """Marks an earlier version carried nowhere: they wait to be re-attached."""
        return self.filter(span__document=document, placement="orphaned").exclude(span__version=document.version)

    def counts(self, **filters) -> tuple[int, int]:
        """(marks passing the filters, marks in all): one query."""
        row = self.order_by().aggregate(
            total=Count("id"), listed=Count("id", filter=Q(**filters)) if filters else Count("id")
        )
        return row["listed"], row["total"]


class Annotation(Tracked):
    """One editor's mark on a span."""

    span = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="annotations")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="annotations")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change; a save names the version it read."
    )
    placement = models.CharField(
        max_length=10,
        choices=PLACEMENT_CHOICES,
        default="made",
        help_text="How the mark got where it is: made there, or carried from an earlier version of the text.",
    )
    placement_score = models.FloatField(
        null=True, blank=True, help_text="For a fuzzy placement: how well the text matched (0-100)."
    )
    settled = models.BooleanField(
        default=False,
        help_text="Kept when a reviewer settled a disagreement over its text: accepted and settled, it "
        "belongs to the gold standard. Cleared when the mark goes back to pending.",
    )
    history = HistoricalRecords()

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        # No default ordering: it would join the span into every read of marks; readers ask for in_text_order().
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="annotation_status_valid"),
            models.CheckConstraint(condition=PENDING_HAS_NO_REVIEW, name="annotation_pending_has_no_review"),
            models.UniqueConstraint(
                fields=["span", "label", "created_by"], name="annotation_one_label_per_editor_and_span"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # The orphans a document page lists: few rows, asked for on every change.
            models.Index(fields=["placement"], condition=Q(placement="orphaned"), name="annotation_orphaned"),
            # The progress dashboard counts every mark of a project by document, editor, label, state and day: from
            # this index alone, without reading the marks' rows (100,000 marks: about three times faster on SQLite).
            models.Index(fields=["span", "label", "created_by", "status", "created_at"], name="annotation_tally"),
        ]

    def __str__(self):
        return f"{self.label} by {self.created_by}: {isolated(self.span.exact[:40])}"

    @property
    def placement_flagged(self) -> bool:
        return self.placement in FLAGGED_PLACEMENTS


class DocumentVersionQuerySet(models.QuerySet):
    def pages_of(self, document_id: int, number: int) -> list:
        """The pages of that version of the document ([[start, label], ...]); [] when it has none (plain text)."""
        return self.filter(document_id=document_id, number=number).values_list("pages", flat=True).first() or []

    def texts_of(self, document_id: int, numbers) -> dict[int, str]:
        """{number: text} of those versions of the document; the current one read from the document itself (a
        document may predate its first version's row)."""
        numbers = set(numbers)
        texts = dict(self.filter(document_id=document_id, number__in=numbers).values_list("number", "text"))
        missing = numbers - set(texts)
        if missing:
            current = (
                Document.objects.filter(pk=document_id, version__in=missing).values_list("version", "text").first()
            )
            if current:
                texts[current[0]] = current[1]
        return texts

    def page_label(self, span) -> str:
        """The page(s) a span is on, as a citation names them ('12', 'iv–1'); '' when its text has no pages."""
        return pages.page_label(self.pages_of(span.document_id, span.version), span.start, span.end)


class DocumentVersion(models.Model):
    """One version of a document's text. The newest equals Document.text; earlier ones stay readable.

    A document added through services.add_document has its version 1 as a row from the start (migration 0015 made
    one for every document then without); seeds and test factories still make it when a version 2 comes.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    note = models.CharField(max_length=500, blank=True, help_text="What changed, in a line.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    pages = models.JSONField(
        default=list,
        blank=True,
        help_text="Page boundaries of a text extracted from a PDF: [[start, label], ...], page N starting at code "
        "point `start` of the text and called `label` ('iii', '12'). Empty for text without pages.",
    )

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


class Original(models.Model):
    """The file or web page a version's text was extracted from, kept as it came; members download it.

    Apart from the version (its own table) so that reading texts never reads these bytes.
    """

    version = models.OneToOneField(DocumentVersion, on_delete=models.CASCADE, related_name="original")
    data = models.BinaryField(help_text="The bytes as uploaded or fetched.")
    media_type = models.CharField(max_length=200, help_text="As read: application/pdf, text/html, ...")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the bytes, in hex.")
    size = models.PositiveBigIntegerField()
    name = models.CharField(max_length=255, blank=True, help_text="The uploaded file's name.")
    url = models.URLField(max_length=2000, blank=True, help_text="The address it was fetched from, as asked for.")
    final_url = models.URLField(max_length=2000, blank=True, help_text="Where that address led, after redirects.")
    fetched_at = models.DateTimeField(null=True, blank=True, help_text="When it was fetched (for a URL).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(size__gte=0), name="original_size_positive")]

    def __str__(self):
        return f"{self.version}: {self.name or self.url}"


class Extraction(models.Model):
    """A document (or a new version of one) being made from a file or a URL in the background.

    The row the worker writes its progress to and the page polls; it keeps the uploaded bytes until the work is done.
    """

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for the worker"
        RUNNING = "running", "Working"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="extractions")
    document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="extractions",
        help_text="The document made, or (fetching again) the document a new version is for.",
    )
    refetch = models.BooleanField(
        default=False, help_text="Fetching the document again: a changed text is a new version."
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=300, blank=True, help_text="The title asked for; empty: from the metadata.")
    url = models.URLField(max_length=2000, blank=True, help_text="The address to fetch, if any.")
    name = models.CharField(max_length=255, blank=True, help_text="The uploaded file's name, if any.")
    data = models.BinaryField(blank=True, default=b"", help_text="The uploaded bytes, until the work is done.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    message = models.CharField(max_length=1000, blank=True, help_text="What happened, for the person who asked.")
    version = models.PositiveIntegerField(null=True, blank=True, help_text="The version made by fetching again.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="extraction_progress_percent"),
            models.CheckConstraint(
                condition=Q(state__in=["waiting", "running", "done", "failed"]), name="extraction_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["project", "state"])]

    def __str__(self):
        return f"{self.url or self.name} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class Placement(models.Model):
    """How one mark was carried to a new version: the report a manager reads after a revision."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="placements")
    annotation = models.ForeignKey(
        "Annotation", null=True, blank=True, on_delete=models.SET_NULL, related_name="placements"
    )
    status = models.CharField(max_length=10, choices=PLACEMENT_CHOICES)
    score = models.FloatField(default=100.0)
    old_start = models.PositiveIntegerField()
    old_end = models.PositiveIntegerField()
    old_exact = models.TextField()
    new_start = models.PositiveIntegerField(null=True, blank=True)
    new_end = models.PositiveIntegerField(null=True, blank=True)
    new_exact = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "old_start", "id"]

    def __str__(self):
        return f"{self.status} {self.old_start}-{self.old_end} of version {self.version_id}"

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED_PLACEMENTS


class Change(models.Model):
    """One step of a document's revision counter: which region of the text it touched.

    Open pages poll with the revision they last saw; the changes since then say which blocks to redraw.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="changes")
    revision = models.PositiveBigIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text_changed = models.BooleanField(default=False, help_text="A new version of the text: open pages reload.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "revision"], name="change_one_per_revision"),
        ]

    def __str__(self):
        return f"revision {self.revision} of document {self.document_id}: {self.start}-{self.end}"


# What the services check of a source, checked here too for the admin, which saves without them. (Not code
# "invalid": a field puts its own message in place of a validator's with a code it has a message for.)
def _validator(check, code):
    def validate(value) -> None:
        try:
            check(value)
        except bibliography.BibliographyError as exc:
            raise ValidationError(str(exc), code=code) from None

    validate.__name__ = f"validate_{code}"
    return validate


def validate_issued(value) -> None:
    _validator(bibliography.check_csl_date, "not_a_date")(value)


def validate_csl_names(value) -> None:
    _validator(lambda names: bibliography.check_names(names, ""), "not_csl_names")(value)


def validate_contributors(value) -> None:
    _validator(lambda names: bibliography.check_contributors(names, ""), "not_csl_names_by_role")(value)


def validate_other_fields(value) -> None:
    _validator(lambda fields: bibliography.check_other_fields(fields, ""), "not_csl_variables")(value)


class Source(Tracked):
    """A bibliographic item; fields map one to one onto CSL-JSON 1.0.2 (its item types, name roles and dates)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sources")
    type = models.CharField(max_length=30, choices=list(bibliography.CSL_TYPES.items()), default="book")
    title = models.CharField(max_length=500)
    authors = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_csl_names],
        help_text='CSL-JSON names: [{"family": "Getty", "given": "J. Arch"}]; also "non-dropping-particle", '
        '"dropping-particle", "suffix", or {"literal": "World Health Organization"}.',
    )
    contributors = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_contributors],
        help_text='CSL-JSON names in their other roles: {"editor": [{"family": "Conquest", "given": "Robert"}], '
        '"translator": [...]} (CSL\'s roles: editor, translator, container-author, collection-editor, director...).',
    )
    issued = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_issued],
        decoder=bibliography.CSLDateDecoder,
        help_text='Date issued as a CSL-JSON date: {"date-parts": [[1937, 3, 5]]}; a range [[1984], [1986]]; '
        '334 BC is [[-334]]; with "season" (1-4), "circa": true, or {"literal": "n.d."}. {} for none.',
    )
    container_title = models.CharField(max_length=500, blank=True, help_text="Journal, book or site it appears in.")
    volume = models.CharField(max_length=40, blank=True)
    issue = models.CharField(max_length=40, blank=True)
    pages = models.CharField(max_length=40, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    publisher_place = models.CharField(max_length=300, blank=True, help_text="Where it was published: 'Moscow'.")
    url = models.URLField(max_length=1000, blank=True)
    doi = models.CharField(max_length=200, blank=True, help_text="Without the https://doi.org/ prefix.")
    archive = models.CharField(max_length=300, blank=True, help_text="Archive holding the item (e.g. RGASPI).")
    archive_location = models.CharField(
        max_length=300, blank=True, help_text="Fond, opis, delo: 'f. 17, op. 3, d. 922'."
    )
    other_fields = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_other_fields],
        help_text='Other CSL-JSON variables by their CSL names: {"edition": "2", "ISBN": "...", "scale": "1:10000", '
        '"accessed": {"date-parts": [[2024, 1, 5]]}}.',
    )
    full_text = models.TextField(blank=True, help_text="The source's own text, used to check quotations.")
    author_names = models.TextField(
        blank=True,
        editable=False,
        help_text="The names of its authors (and editors, translators...) as plain text, for search; written by the "
        "services.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "doi"], condition=~Q(doi=""), name="source_doi_unique_in_project"
            ),
        ]

    def __str__(self):
        return isolated(self.title)  # as the admin puts it in its sentences

    @property
    def issued_text(self) -> str:
        return bibliography.date_text(self.issued)

    @property
    def type_name(self) -> str:
        return bibliography.type_name(self.type)


class CitationQuerySet(models.QuerySet):
    def with_context(self):
        """Each citation with its source, and its mark with span, document (without its text), project, label and
        author."""
        return self.select_related(
            "source", "annotation__span__document__project", "annotation__label", "annotation__created_by"
        ).defer("annotation__span__document__text")


class Citation(Tracked):
    """An annotation resting on a source, at a locator."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    locator = models.CharField(
        max_length=200, blank=True, help_text="Where in the source: 'pp. 113-138', 'f. 17, op. 3, d. 922, ll. 50-55'."
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    quote_check = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="For a mark labelled Quotation: the check of its text against the source's, as the services last "
        "made it (the verdict and what the mark's panel shows of it). Null: not a quotation, or not checked yet.",
    )
    quote_checked = models.CharField(
        max_length=40,
        blank=True,
        editable=False,
        help_text="Digest of what the stored check was made on (the checker's version, the mark's text, the source's "
        "text); empty when there is no check. check_integrity compares it with the texts as they are now.",
    )
    # The check is worked out from the texts, not edited: the history of a citation is who cited what, where.
    history = HistoricalRecords(excluded_fields=["quote_check", "quote_checked"])

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["annotation", "source", "locator"], name="citation_unique"),
        ]

    def __str__(self):
        return f"{self.source} {self.locator}".strip()


# Links between marks ---------------------------------------------------------------------


class LinkType(models.Model):
    """A kind of link a project's editors draw between marks ("supports", "refutes", ...), with the labels it may join.

    An empty label set means any label. `targets` says whether a link of this type points to a mark, to a
    source or a named speaker ("attributed to"), or to either.
    """

    class Targets(models.TextChoices):
        MARKS = "marks", "Another mark"
        PERSONS = "persons", "A source or a speaker"
        BOTH = "both", "A mark, a source or a speaker"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="link_types")
    key = models.SlugField(max_length=40, help_text="Stable machine name, used in exports and the argument map.")
    name = models.CharField(max_length=80, help_text="Read from the link's first mark: 'supports'.")
    inverse_name = models.CharField(max_length=80, help_text="Read from the second mark: 'is supported by'.")
    from_labels = models.ManyToManyField(
        Label, blank=True, related_name="+", help_text="Labels a link of this type may start from (none: any)."
    )
    to_labels = models.ManyToManyField(
        Label, blank=True, related_name="+", help_text="Labels a link of this type may point to (none: any)."
    )
    targets = models.CharField(
        max_length=10,
        choices=Targets.choices,
        default=Targets.MARKS,
        help_text="What a link of this type points to: a mark, a source or a free-text speaker, or either.",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="linktype_key_unique_in_project"),
            models.UniqueConstraint(fields=["project", "name"], name="linktype_name_unique_in_project"),
        ]

    def __str__(self):
        return self.name


class Link(Tracked):
    """A typed, reviewed edge from one mark to another mark of the same project, or to a source or a speaker.

    Exactly one target: `to_annotation`, `to_source` or `speaker`. Denormalised `project` keeps every
    project-wide query (the map, the search, the exports) one join away.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    type = models.ForeignKey(LinkType, on_delete=models.PROTECT, related_name="links")
    from_annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="links_from")
    to_annotation = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="links_to"
    )
    to_source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="links")
    speaker = models.CharField(max_length=200, blank=True, help_text="A person or organisation named in free text.")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="links")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="link_reviews"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change; a save names the version it read."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="link_status_valid"),
            models.CheckConstraint(condition=PENDING_HAS_NO_REVIEW, name="link_pending_has_no_review"),
            models.CheckConstraint(condition=~Q(from_annotation=F("to_annotation")), name="link_not_to_itself"),
            models.CheckConstraint(
                condition=(
                    Q(to_annotation__isnull=False, to_source__isnull=True, speaker="")
                    | Q(to_annotation__isnull=True, to_source__isnull=False, speaker="")
                    | (Q(to_annotation__isnull=True, to_source__isnull=True) & ~Q(speaker=""))
                ),
                name="link_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["from_annotation", "to_annotation", "type"], name="link_unique_marks"),
            models.UniqueConstraint(
                fields=["from_annotation", "to_source", "type"],
                condition=Q(to_source__isnull=False),
                name="link_unique_source",
            ),
            models.UniqueConstraint(
                fields=["from_annotation", "speaker", "type"], condition=~Q(speaker=""), name="link_unique_speaker"
            ),
        ]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self):
        return f"{self.from_annotation_id} {self.type} {self.to_annotation_id or self.to_source_id or self.speaker}"

    @property
    def target_kind(self) -> str:
        if self.to_annotation_id:
            return "mark"
        return "source" if self.to_source_id else "speaker"


class Assignment(Tracked):
    """A document given to a member to annotate or to review, with how far they say they are."""

    class Task(models.TextChoices):
        ANNOTATE = "annotate", "Annotate"
        REVIEW = "review", "Review"

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    task = models.CharField(max_length=10, choices=Task.choices, default=Task.ANNOTATE)
    progress = models.CharField(max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["document", "task", "user"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user", "task"], name="assignment_one_per_task"),
            models.CheckConstraint(condition=Q(task__in=["annotate", "review"]), name="assignment_task_valid"),
            models.CheckConstraint(
                condition=Q(progress__in=["not_started", "in_progress", "done"]), name="assignment_progress_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "progress"])]

    def __str__(self):
        return f"{self.document} to {self.user} ({self.task})"


class ProgressSnapshot(models.Model):
    """The progress dashboard's counts of a project, as last worked out, with what they were worked out from: the
    revision and version of each document (bumped by every change to their marks) and the day. Read while that still
    holds, so the dashboard of a large project is one pass over its marks per change, not per view."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="progress_snapshot")
    key = models.CharField(max_length=64, help_text="Digest of the documents' revisions and versions, and the day.")
    rows = models.JSONField(help_text="The marks counted by document, editor, label, review state and day.")
    made_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"progress of project {self.project_id} at {self.made_at:%Y-%m-%d %H:%M}"


class DismissedSuggestion(models.Model):
    """A quotation suggestion someone dismissed: not suggested again for the document until brought back. Named by
    the passage's text (its digest), so it stays dismissed where a new version moves it."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="dismissed_suggestions")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the passage's text, in hex.")
    exact = models.TextField(help_text="The passage's text, as it was suggested.")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-dismissed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "digest"], name="dismissed_suggestion_once"),
        ]

    def __str__(self):
        return isolated(self.exact[:60])


# Search -------------------------------------------------------------------------------------------


class SearchEntry(models.Model):
    """One findable thing: a stretch of a document's current text, a mark, a source (or a stretch of its full text),
    a link's comment. Written by services/search_index.py in the transaction of the write that changes what it
    shows; found through the backend of annotator/search (SQLite: FTS5 tables kept by triggers on this table;
    PostgreSQL: `vector`, with a GIN index). Deleted with what it shows.
    """

    class Kind(models.TextChoices):
        TEXT = "text", "Document text"
        MARK = "mark", "Mark"
        SOURCE = "source", "Source"
        LINK = "link", "Link comment"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    annotation = models.ForeignKey(Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(Link, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField(
        default=0, help_text="Where `body` starts in the document's text (or the source's full text), in code points."
    )
    block = models.PositiveIntegerField(
        default=0,
        help_text="Document text: the number of the document page's block `body` starts in, so that a "
        "link opens the page at a hit without reading the whole text.",
    )
    label = models.ForeignKey(Label, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(help_text="When what it shows was made: the date a search filters by.")
    title = models.TextField(blank=True, help_text="Names that find it: a title, a label, an author, a DOI.")
    body = models.TextField(blank=True, help_text="The text that finds it, shown in context.")
    vector = SearchVectorField(null=True, editable=False, help_text="PostgreSQL only: title and body, folded.")

    class Meta:
        indexes = [models.Index(fields=["project", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["text", "mark", "source", "link"]), name="searchentry_kind"),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk}"


# The API's personal access tokens (issue 23) --------------------------------------------------------


class TokenScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class AccessTokenQuerySet(models.QuerySet):
    def usable(self, now):
        """Tokens that authenticate a request at `now`: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class AccessToken(models.Model):
    """A personal access token for the API. Only a SHA-256 of the token is kept: it is shown once, when made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, in its owner's words.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, in hex.")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell it apart in lists.")
    scope = models.CharField(max_length=5, choices=TokenScope.choices, default=TokenScope.READ)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: it does not expire.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


# Verdicts and ClaimReview (issue 24) --------------------------------------------------------------


class Rating(Tracked):
    """One step of a project's rating scale ("Mostly false"): a name (what ClaimReview readers show) and where it
    sits on the scale. A rating without a number (Unproven) is allowed; a number without a name is not."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ratings")
    name = models.CharField(max_length=80, help_text="The rating's words, as published (ClaimReview alternateName).")
    value = models.IntegerField(
        null=True, blank=True, help_text="Its place on the scale (ratingValue); empty for a rating off the scale."
    )
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="rating_name_unique_in_project")]

    def __str__(self):
        return self.name


class RatingScale(Tracked):
    """A project's rating scale: its best and worst values (ClaimReview bestRating, worstRating)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="rating_scale")
    best = models.IntegerField(default=5, help_text="The best value of the scale (bestRating).")
    worst = models.IntegerField(default=1, help_text="The worst value of the scale (worstRating).")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(worst__lt=F("best")), name="rating_scale_worst_below_best")]

    def __str__(self):
        return f"{self.worst}–{self.best}"


class ClaimVerdictQuerySet(models.QuerySet):
    def with_context(self):
        """Each verdict with its claim (span, document without its text, project), rating, claimant source,
        author and reviewer."""
        return self.select_related(
            "annotation__span__document__project",
            "annotation__label",
            "rating",
            "claimant_source",
            "created_by",
            "reviewed_by",
        ).defer("annotation__span__document__text")

    def accepted(self):
        return self.filter(status=Status.ACCEPTED)


class ClaimVerdict(Tracked):
    """A reviewer's verdict on a claim mark: its rating, a short summary of the claim, why, who made the claim, when
    and where. Claims joined by "is the same claim as" links share the verdict of one of them. Reviewed like a mark."""

    annotation = models.OneToOneField(Annotation, on_delete=models.CASCADE, related_name="verdict")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="verdicts")
    summary = models.CharField(
        max_length=74, help_text="The claim in a few words (ClaimReview claimReviewed: under 75 characters)."
    )
    explanation = models.TextField(blank=True, help_text="Why the rating (ratingExplanation).")
    claimant = models.CharField(max_length=200, blank=True, help_text="Who made the claim: a person or organisation.")
    claimant_source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_verdicts",
        help_text="Who made the claim, as a source of the bibliography (instead of the free text).",
    )
    claim_date = models.DateField(null=True, blank=True, help_text="When the claim was made.")
    appearances = models.JSONField(
        default=list, blank=True, help_text="Where the claim appeared: URLs, the first one first."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="verdict_reviews"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change; a save names the version it read."
    )
    history = HistoricalRecords()

    objects = ClaimVerdictQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="verdict_status_valid"),
            models.CheckConstraint(condition=PENDING_HAS_NO_REVIEW, name="verdict_pending_has_no_review"),
            models.CheckConstraint(condition=~Q(summary=""), name="verdict_has_summary"),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.rating} ({self.summary})"


# Webhooks (issue 23) -------------------------------------------------------------------------------


class Webhook(models.Model):
    """An address a project's managers registered: the events they chose are POSTed there, signed with `secret`."""

    class Event(models.TextChoices):
        MARK_CREATED = "mark.created", "Mark created"
        MARK_UPDATED = "mark.updated", "Mark updated"
        MARK_DELETED = "mark.deleted", "Mark deleted"
        MARK_REVIEWED = "mark.reviewed", "Mark reviewed"
        LINK_CREATED = "link.created", "Link created"
        LINK_DELETED = "link.deleted", "Link deleted"
        LINK_REVIEWED = "link.reviewed", "Link reviewed"
        DOCUMENT_CREATED = "document.created", "Document created"
        VERSION_CREATED = "version.created", "Version created"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000, help_text="Where deliveries are POSTed (public addresses only).")
    events = models.JSONField(default=list, help_text="The events sent there (values of Webhook.Event).")
    secret = models.CharField(max_length=64, help_text="Signs every delivery (HMAC-SHA256); the receiver checks it.")
    active = models.BooleanField(default=True, help_text="A disabled hook is sent nothing.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["project", "active"])]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event (with up to ANNOTATOR_WEBHOOK_BATCH items) to send to one hook: its body, fixed when the write
    committed, and where its sending stands."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    body = models.TextField(blank=True, help_text="The JSON sent, as signed (made at the first attempt if `refs`).")
    refs = models.JSONField(
        null=True,
        blank=True,
        help_text="A bulk write's marks or links, by id: the body is made from them when it is first sent, which "
        "keeps that work out of the write.",
    )
    items = models.PositiveIntegerField(default=1, help_text="How many marks, links... the body carries.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When the next attempt is due.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["webhook", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["waiting", "sending", "delivered", "failed"]), name="delivery_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.event} ({self.state})"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: what the receiver answered (the start of it), or why it failed."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True, help_text="The start of the answer's body.")

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"attempt {self.number}: {self.status_code or self.error}"


class ImportUpload(models.Model):
    """A file of marks a manager uploaded on the import page: being checked (a dry run, in the background), checked
    (its report kept) and waiting for them to confirm, being imported (in the background), imported, or failed (the
    server could not finish). Kept for its uploader only, for a few hours (services/import_uploads.py)."""

    class State(models.TextChoices):
        CHECKING = "checking", "Being checked"
        CHECKED = "checked", "Checked, waiting for confirmation"
        IMPORTING = "importing", "Being imported"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    PENDING = (State.CHECKING, State.IMPORTING)  # the background worker has it

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255, help_text="The file's name, as uploaded.")
    data = models.BinaryField(blank=True, default=b"", help_text="The file, until it is imported.")
    links_name = models.CharField(max_length=255, blank=True)
    links = models.BinaryField(null=True, blank=True, help_text="The links CSV uploaded beside a marks CSV, if any.")
    spreadsheet_safe = models.BooleanField(default=False)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=40, blank=True, help_text="The label key for marks naming none of ours.")
    as_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.CHECKING)
    report = models.JSONField(default=dict, help_text="The dry run's report; once imported, the import's.")
    message = models.TextField(blank=True, help_text="Why it failed, when it did.")
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "project", "state"]), models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["checking", "checked", "importing", "imported", "failed"]), name="upload_state"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.state})"
