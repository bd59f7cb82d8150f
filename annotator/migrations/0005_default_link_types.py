"""Every existing project gets the default link types, as a new project does (services.projects.create_project)."""
from django.db import migrations

# As annotator.links.DEFAULT_LINK_TYPES, frozen here: a migration must not change with the app.
DEFAULTS = [
    ("supports", "supports", "is supported by", ("evidence",), ("claim",), "marks"),
    ("refutes", "refutes", "is refuted by", ("evidence",), ("claim",), "marks"),
    ("quotes", "rests on the quotation", "is quoted by", ("claim",), ("quotation",), "marks"),
    ("attributed-to", "is attributed to", "is the attribution of", ("quotation",), (), "persons"),
    ("same-as", "is the same claim as", "is the same claim as", ("claim",), ("claim",), "marks"),
]


def add_default_link_types(apps, schema_editor):
    Project = apps.get_model("annotator", "Project")
    Label = apps.get_model("annotator", "Label")
    LinkType = apps.get_model("annotator", "LinkType")
    for project in Project.objects.all():
        labels = {label.key: label for label in Label.objects.filter(project=project)}
        taken = set(LinkType.objects.filter(project=project).values_list("key", flat=True))
        for order, (key, name, inverse, from_keys, to_keys, targets) in enumerate(DEFAULTS):
            if key in taken or any(k not in labels for k in (*from_keys, *to_keys)):
                # A project without one of the labels gets no such type: an empty label set would mean "any".
                continue
            link_type = LinkType.objects.create(
                project=project, key=key, name=name, inverse_name=inverse, targets=targets, order=order
            )
            link_type.from_labels.set([labels[k] for k in from_keys])
            link_type.to_labels.set([labels[k] for k in to_keys])


def remove_default_link_types(apps, schema_editor):
    LinkType = apps.get_model("annotator", "LinkType")
    LinkType.objects.filter(key__in=[d[0] for d in DEFAULTS], links__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("annotator", "0004_links"),
    ]

    operations = [
        migrations.RunPython(add_default_link_types, remove_default_link_types),
    ]
