"""The 400, 404 and 500 pages: styled, leaking nothing, rendered without the request or the
database when they must be."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from config import views as config_views

# --- error pages ----------------------------------------------------------------------------------


@pytest.fixture
def lenient_client():
    """A client that gets the 500 page instead of the exception."""
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_404_page_is_styled_and_leaks_nothing(client):
    response = client.get("/resolutions/?page=99999")  # past the end: Http404 from the paginator
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert 'class="site-header"' in page  # extends base.html
    assert "Invalid page" not in page and "contains no results" not in page


@pytest.mark.django_db
def test_500_page_is_styled_and_leaks_nothing(lenient_client):
    with mock.patch(
        "mandates.views.HomeView.get_context_data", side_effect=RuntimeError("s3cr3t detail")
    ):
        response = lenient_client.get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert 'class="site-header"' in page
    assert "s3cr3t" not in page and "Traceback" not in page and "RuntimeError" not in page


@pytest.mark.django_db
def test_500_page_renders_without_request_or_database(client, django_assert_max_num_queries):
    """It shows the date of the latest change the last page read, without asking again."""
    latest = client.get("/").context["DATA_UPDATED"].at
    with django_assert_max_num_queries(0):
        response = config_views.server_error(None)
    assert response.status_code == 500
    assert f'<time datetime="{latest:%Y-%m-%d}">' in response.content.decode()


@pytest.mark.django_db
def test_server_error_during_a_database_outage_is_a_503():
    """An outage raised outside a view (e.g. while saving a session) reaches handler500."""
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = config_views.server_error(None)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_400_page_without_a_reason():
    response = config_views.bad_request(RequestFactory().get("/"), ValueError("s3cr3t"))
    assert response.status_code == 400
    assert "This request could not be understood" in response.content.decode()
    assert "s3cr3t" not in response.content.decode()
