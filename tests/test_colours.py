"""Label colours as people see them (annotator/colours.py), and the labels' stylesheet every highlight takes its
colour and its second cue from."""

import re
from itertools import pairwise

import pytest

from annotator import colours
from annotator.services.projects import DEFAULT_LABELS

from .conftest import client_for

DEFAULTS = [colours.parse(colour) for _, _, colour, _ in DEFAULT_LABELS]


def test_contrast_is_wcag_2s():
    assert colours.contrast(colours.BLACK, colours.WHITE) == pytest.approx(21)
    assert colours.contrast(colours.WHITE, colours.WHITE) == pytest.approx(1)
    # WebAIM's checker: #767676 on white is 4.54 : 1.
    assert colours.contrast(colours.parse("#767676"), colours.WHITE) == pytest.approx(4.54, abs=0.01)


def test_a_colour_vision_deficiency_folds_red_and_green_together():
    red, green = colours.parse("#d62728"), colours.parse("#2ca02c")
    assert colours.nearest_pair([red, green]) > 2 * colours.nearest_pair([red, green], "deuteranopia")
    # Grey stays grey.
    grey = colours.parse("#808080")
    assert colours.difference(grey, colours.simulate(grey, "protanopia")) < 1


@pytest.mark.parametrize("deficiency", [None, "protanopia", "deuteranopia", "tritanopia"])
def test_the_default_labels_stay_apart_with_each_common_colour_vision_deficiency(deficiency):
    # ΔE*ab past 10 is plainly different; the colours before issue 26 came within 17 of each other with tritanopia
    # and 27 with protanopia.
    assert colours.nearest_pair(DEFAULTS, deficiency) >= 30


def test_the_default_labels_differ_in_lightness_too_for_who_sees_no_colour():
    # Claim and Evidence were 11 apart in L*, the same grey to the eye without colour.
    lightness = sorted(colours.lab(rgb)[0] for rgb in DEFAULTS)
    assert min(b - a for a, b in pairwise(lightness)) >= 20


@pytest.mark.parametrize("colour", [c for _, _, c, _ in DEFAULT_LABELS] + ["#ffff00", "#ffffff", "#000000", "#84a9e8"])
def test_a_labels_strong_colour_stands_three_to_one_against_the_page_and_its_highlights(colour):
    deep = colours.parse(colours.strong(colour))
    rgb = colours.parse(colour)
    for ground in (colours.WHITE, *(colours.mix(rgb, share) for share in colours.FILL_SHARES)):
        assert colours.contrast(deep, ground) >= colours.NON_TEXT_CONTRAST


def test_labels_differ_without_colour_by_their_underline():
    styles = [colours.underline(order) for order in range(len(colours.UNDERLINES))]
    assert len(set(styles)) == len(styles)


def test_a_colour_not_as_rrggbb_is_refused():
    with pytest.raises(ValueError, match="#rrggbb"):
        colours.parse("red")


def test_the_labels_stylesheet_gives_each_label_its_colour_strong_colour_and_underline(project, annotator):
    response = client_for(annotator).get(f"/projects/{project.pk}/labels.css")
    assert response.status_code == 200
    css = response.content.decode()
    for order, label in enumerate(project.labels.order_by("order", "pk")):
        rule = re.search(rf"\.c1-{label.pk}\{{([^}}]*)\}}", css).group(1)
        assert f"--c1:{label.colour}" in rule
        assert f"--c1s:{colours.strong(label.colour)}" in rule
        assert f"--u1:{colours.underline(order)}" in rule
        assert f"--lu:{colours.underline(order)}" in css


def test_a_new_label_is_offered_the_colour_farthest_from_those_in_use():
    # The form offered #f6d365 whatever the labels: beside Claim's #fbfb51 the two highlights were 15 apart (ΔE*ab),
    # the same yellow in the text.
    def fill(colour):
        return colours.mix(colours.parse(colour), colours.FILL_SHARES[0])

    used = [colour for _, _, colour, _ in DEFAULT_LABELS]
    assert colours.difference(fill("#f6d365"), fill("#fbfb51")) < 16
    fourth = colours.apart_from(used)
    assert min(colours.difference(fill(fourth), fill(colour)) for colour in used) > 30
    for _ in range(len(colours.OFFERED) - 1):  # then each label after it another colour, until all are taken
        used.append(colours.apart_from(used))
    assert len(set(used)) == len(used)
    assert colours.apart_from([]) == colours.OFFERED[0]


def test_the_label_page_offers_that_colour(manager, project):
    page = client_for(manager).get(f"/projects/{project.pk}/labels/").content.decode()
    offered = colours.apart_from(project.labels.values_list("colour", flat=True))
    assert offered != "#f6d365" and re.search(
        rf'type="color"[^>]*value="{offered}"|value="{offered}"[^>]*type="color"', page
    )
