"""Abuse limits: login throttling, the size and field count of a request, and one mark a request."""

import pytest
from django.test import Client
from django.urls import reverse

import config.settings
from annotator.models import Annotation

from .conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def log_in(client, username, password, address="127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_repeated_wrong_passwords_lock_that_username_out_from_that_address(annotator, annotator2, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "ann", "wrong").status_code == 200
    assert log_in(client, "ann", "wrong").status_code == 429  # the last failure allowed locks
    locked = log_in(client, "ann", "pw-for-tests")
    assert locked.status_code == 429 and "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is for that username from that address: the same person elsewhere, or another user here, log in.
    assert log_in(Client(), "ann", "pw-for-tests", address="10.0.0.2").status_code == 302
    assert log_in(Client(), "ann2", "pw-for-tests").status_code == 302


def test_the_request_limits_are_set_in_the_settings_module():
    assert {"DATA_UPLOAD_MAX_MEMORY_SIZE", "DATA_UPLOAD_MAX_NUMBER_FIELDS", "FILE_UPLOAD_MAX_MEMORY_SIZE"} <= set(
        vars(config.settings)
    )
    # A mark over the whole of the largest document, percent-encoded (3 bytes a byte), fits in a request.
    assert config.settings.DATA_UPLOAD_MAX_MEMORY_SIZE > 3 * config.settings.ANNOTATOR_MAX_UPLOAD_BYTES
    assert config.settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize("csrf", [True, False])
def test_an_oversized_mark_request_is_refused_with_413_and_says_so(document, annotator, labels, settings, htmx, csrf):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    client = client_for(annotator, enforce_csrf_checks=csrf)
    client.get(reverse("document_detail", args=[document.pk]))
    data = {"start": 0, "end": 3, "exact": "Did", "label": labels["claim"].pk, "note": "x" * 5000}
    extra = {**(HTMX if htmx else {}), "HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    response = client.post(reverse("annotation_create", args=[document.pk]), data, **extra)
    assert response.status_code == 413
    body = response.content.decode()
    assert 'role="alert"' in body and "larger than the limit of 2.0\xa0KB" in body and "Nothing was saved" in body
    if htmx:
        assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#main", "afterbegin") and "<html" not in body
    assert not Annotation.objects.exists()


def test_a_request_with_too_many_fields_is_refused_with_a_message(document, annotator, labels):
    data = {"start": 0, "end": 3, "exact": "Did", "label": labels["claim"].pk, **{f"f{i}": "x" for i in range(1000)}}
    response = client_for(annotator).post(reverse("annotation_create", args=[document.pk]), data, **HTMX)
    assert response.status_code == 400 and "too many fields" in response.content.decode()
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("repeated", ["start", "end", "exact", "label"])
def test_one_request_makes_one_mark_and_a_repeated_field_is_refused(document, annotator, labels, repeated):
    # Two marks' fields in one request: not the last of each silently taken, the whole request refused.
    first = {"start": "0", "end": "3", "exact": "Did", "label": str(labels["claim"].pk)}
    second = {"start": "4", "end": "10", "exact": "Stalin", "label": str(labels["evidence"].pk)}
    data = {**first, repeated: [first[repeated], second[repeated]]}
    response = client_for(annotator).post(reverse("annotation_create", args=[document.pk]), data, **HTMX)
    assert response.status_code == 422
    assert f"One mark a request: {repeated} came more than once." in response.content.decode()
    assert not Annotation.objects.exists()
