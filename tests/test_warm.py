"""A server process imports its views and compiles every template at start (annotator/warm.py)."""

from django.template import engines

from annotator.warm import project_templates, warm_up


def test_warm_up_compiles_every_template_of_the_project(settings):
    names = project_templates()
    assert "annotator/document_detail.html" in names and "annotator/annotation_saved.html" in names
    assert all(not name.startswith("/") for name in names)
    warm_up()  # a template that does not compile raises here, at a worker's start, not in some user's request
    for name in names:
        assert engines["django"].get_template(name).template.nodelist, name
