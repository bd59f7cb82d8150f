"""Sources as CSL-JSON 1.0.2 has them (issue 25): every item type, names in their roles (contributors), the other
CSL variables (other_fields), the place of publication, and the date issued as a CSL date object.

Each stored date issued ('1937', '1937-03', '1937-03-05', or anything stored before dates were checked) becomes the
CSL date it says ({"date-parts": [[1937, 3]]}); text that is no date we read is kept as a literal date, never lost.
A DOI stored as a resolver's address (http://dx.doi.org/10..., http://doi.acm.org/10...) becomes the bare DOI,
unless another source of the project has that DOI already. History rows are converted as the sources are.
"""
import json

import annotator.bibliography
import annotator.models
from annotator import bibliography
from django.db import migrations, models


def _date(text):
    text = (text or "").strip()
    if not text:
        return {}
    try:
        return bibliography.parse_date(text)
    except bibliography.BibliographyError:
        return {"literal": text}


def _checks_now(schema_editor):
    # PostgreSQL queues the deferred foreign-key checks of each updated row, and refuses to alter a table that has
    # checks pending: run them before the next step alters the column.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def dates_to_csl(apps, schema_editor):
    for name in ("Source", "HistoricalSource"):
        model = apps.get_model("annotator", name)
        for pk, issued in model.objects.values_list("pk", "issued").iterator(chunk_size=2000):
            model.objects.filter(pk=pk).update(issued=json.dumps(_date(issued)))
    _checks_now(schema_editor)


def dates_to_text(apps, schema_editor):
    for name in ("Source", "HistoricalSource"):
        model = apps.get_model("annotator", name)
        for pk, issued in model.objects.values_list("pk", "issued").iterator(chunk_size=2000):
            text = bibliography.date_text(json.loads(issued) if issued else {})
            model.objects.filter(pk=pk).update(issued=text[:40])
    _checks_now(schema_editor)


def bare_dois(apps, schema_editor):
    Source = apps.get_model("annotator", "Source")
    for source in Source.objects.exclude(doi="").only("pk", "project_id", "doi").iterator(chunk_size=2000):
        doi = bibliography.normalise_doi(source.doi)
        if doi == source.doi or not bibliography.read_doi(source.doi)[0]:
            continue
        if not Source.objects.filter(project_id=source.project_id, doi=doi).exists():
            Source.objects.filter(pk=source.pk).update(doi=doi)
    _checks_now(schema_editor)


def _issued_as(field):
    return [
        migrations.AlterField(model_name=model, name="issued", field=field)
        for model in ("historicalsource", "source")
    ]


class Migration(migrations.Migration):

    dependencies = [
        ('annotator', '0015_originals_and_pages'),
    ]

    operations = [
        # The date issued: text the data step rewrites as JSON text, then JSON.
        *_issued_as(models.TextField(blank=True)),
        migrations.RunPython(dates_to_csl, dates_to_text),
        *_issued_as(models.JSONField(blank=True, decoder=annotator.bibliography.CSLDateDecoder, default=dict, help_text='Date issued as a CSL-JSON date: {"date-parts": [[1937, 3, 5]]}; a range [[1984], [1986]]; 334 BC is [[-334]]; with "season" (1-4), "circa": true, or {"literal": "n.d."}. {} for none.', validators=[annotator.models.validate_issued])),
        migrations.RunPython(bare_dois, migrations.RunPython.noop),
        migrations.AddField(
            model_name='historicalsource',
            name='contributors',
            field=models.JSONField(blank=True, default=dict, help_text='CSL-JSON names in their other roles: {"editor": [{"family": "Conquest", "given": "Robert"}], "translator": [...]} (CSL\'s roles: editor, translator, container-author, collection-editor, director...).', validators=[annotator.models.validate_contributors]),
        ),
        migrations.AddField(
            model_name='historicalsource',
            name='other_fields',
            field=models.JSONField(blank=True, default=dict, help_text='Other CSL-JSON variables by their CSL names: {"edition": "2", "ISBN": "...", "scale": "1:10000", "accessed": {"date-parts": [[2024, 1, 5]]}}.', validators=[annotator.models.validate_other_fields]),
        ),
        migrations.AddField(
            model_name='historicalsource',
            name='publisher_place',
            field=models.CharField(blank=True, help_text="Where it was published: 'Moscow'.", max_length=300),
        ),
        migrations.AddField(
            model_name='source',
            name='contributors',
            field=models.JSONField(blank=True, default=dict, help_text='CSL-JSON names in their other roles: {"editor": [{"family": "Conquest", "given": "Robert"}], "translator": [...]} (CSL\'s roles: editor, translator, container-author, collection-editor, director...).', validators=[annotator.models.validate_contributors]),
        ),
        migrations.AddField(
            model_name='source',
            name='other_fields',
            field=models.JSONField(blank=True, default=dict, help_text='Other CSL-JSON variables by their CSL names: {"edition": "2", "ISBN": "...", "scale": "1:10000", "accessed": {"date-parts": [[2024, 1, 5]]}}.', validators=[annotator.models.validate_other_fields]),
        ),
        migrations.AddField(
            model_name='source',
            name='publisher_place',
            field=models.CharField(blank=True, help_text="Where it was published: 'Moscow'.", max_length=300),
        ),
        migrations.AlterField(
            model_name='historicalsource',
            name='author_names',
            field=models.TextField(blank=True, editable=False, help_text='The names of its authors (and editors, translators...) as plain text, for search; written by the services.'),
        ),
        migrations.AlterField(
            model_name='historicalsource',
            name='authors',
            field=models.JSONField(blank=True, default=list, help_text='CSL-JSON names: [{"family": "Getty", "given": "J. Arch"}]; also "non-dropping-particle", "dropping-particle", "suffix", or {"literal": "World Health Organization"}.', validators=[annotator.models.validate_csl_names]),
        ),
        migrations.AlterField(
            model_name='historicalsource',
            name='type',
            field=models.CharField(choices=[('article', 'Article (preprint, working paper)'), ('article-journal', 'Journal article'), ('article-magazine', 'Magazine article'), ('article-newspaper', 'Newspaper article'), ('bill', 'Bill'), ('book', 'Book'), ('broadcast', 'Broadcast (radio, television)'), ('chapter', 'Book chapter'), ('classic', 'Classic work'), ('collection', 'Archival collection'), ('dataset', 'Dataset'), ('document', 'Document'), ('entry', 'Entry in a reference work'), ('entry-dictionary', 'Dictionary entry'), ('entry-encyclopedia', 'Encyclopedia entry'), ('event', 'Event'), ('figure', 'Figure'), ('graphic', 'Image or artwork'), ('hearing', 'Hearing'), ('interview', 'Interview'), ('legal_case', 'Legal case'), ('legislation', 'Law (legislation)'), ('manuscript', 'Archival document'), ('map', 'Map'), ('motion_picture', 'Film'), ('musical_score', 'Musical score'), ('pamphlet', 'Pamphlet'), ('paper-conference', 'Conference paper'), ('patent', 'Patent'), ('performance', 'Performance'), ('periodical', 'Periodical (a whole issue)'), ('personal_communication', 'Letter or personal communication'), ('post', 'Forum post'), ('post-weblog', 'Blog post'), ('regulation', 'Regulation'), ('report', 'Report'), ('review', 'Review'), ('review-book', 'Book review'), ('software', 'Software'), ('song', 'Song or recording'), ('speech', 'Speech'), ('standard', 'Standard'), ('thesis', 'Thesis'), ('treaty', 'Treaty'), ('webpage', 'Web page')], default='book', max_length=30),
        ),
        migrations.AlterField(
            model_name='source',
            name='author_names',
            field=models.TextField(blank=True, editable=False, help_text='The names of its authors (and editors, translators...) as plain text, for search; written by the services.'),
        ),
        migrations.AlterField(
            model_name='source',
            name='authors',
            field=models.JSONField(blank=True, default=list, help_text='CSL-JSON names: [{"family": "Getty", "given": "J. Arch"}]; also "non-dropping-particle", "dropping-particle", "suffix", or {"literal": "World Health Organization"}.', validators=[annotator.models.validate_csl_names]),
        ),
        migrations.AlterField(
            model_name='source',
            name='type',
            field=models.CharField(choices=[('article', 'Article (preprint, working paper)'), ('article-journal', 'Journal article'), ('article-magazine', 'Magazine article'), ('article-newspaper', 'Newspaper article'), ('bill', 'Bill'), ('book', 'Book'), ('broadcast', 'Broadcast (radio, television)'), ('chapter', 'Book chapter'), ('classic', 'Classic work'), ('collection', 'Archival collection'), ('dataset', 'Dataset'), ('document', 'Document'), ('entry', 'Entry in a reference work'), ('entry-dictionary', 'Dictionary entry'), ('entry-encyclopedia', 'Encyclopedia entry'), ('event', 'Event'), ('figure', 'Figure'), ('graphic', 'Image or artwork'), ('hearing', 'Hearing'), ('interview', 'Interview'), ('legal_case', 'Legal case'), ('legislation', 'Law (legislation)'), ('manuscript', 'Archival document'), ('map', 'Map'), ('motion_picture', 'Film'), ('musical_score', 'Musical score'), ('pamphlet', 'Pamphlet'), ('paper-conference', 'Conference paper'), ('patent', 'Patent'), ('performance', 'Performance'), ('periodical', 'Periodical (a whole issue)'), ('personal_communication', 'Letter or personal communication'), ('post', 'Forum post'), ('post-weblog', 'Blog post'), ('regulation', 'Regulation'), ('report', 'Report'), ('review', 'Review'), ('review-book', 'Book review'), ('software', 'Software'), ('song', 'Song or recording'), ('speech', 'Speech'), ('standard', 'Standard'), ('thesis', 'Thesis'), ('treaty', 'Treaty'), ('webpage', 'Web page')], default='book', max_length=30),
        ),
    ]
