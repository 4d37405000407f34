"""A lockout that warns: from the third failed sign-in the login page says how many attempts
remain and how long the pause would last, in the same words for a real and a made-up username."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def fail(client, username):
    response = client.post(
        LOGIN,
        {"username": username, "password": "wrong", "next": "/admin/"},
        REMOTE_ADDR="127.0.0.9",
    )
    return response.status_code, re.sub(r"\s+", " ", response.content.decode())


def warning(page):
    match = re.search(r"\d attempts? remains?[^<]*", page)
    return match[0].strip() if match else None


@pytest.mark.parametrize("username", ["editor", "nobody-by-this-name"])
def test_from_the_third_failure_the_page_says_what_remains(client, staff, username):
    pages = [fail(client, username) for _ in range(5)]
    assert [status for status, _ in pages] == [200, 200, 200, 200, 429]
    assert warning(pages[0][1]) is None and warning(pages[1][1]) is None
    assert warning(pages[2][1]) == (
        "2 attempts remain before signing in with this username from this address is paused "
        "for 15 minutes."
    )
    assert warning(pages[3][1]).startswith("1 attempt remains before")
    assert "Sign-in paused" in pages[4][1]


def test_the_warning_does_not_tell_whether_the_user_exists(client, staff):
    real = [fail(client, "editor")[1] for _ in range(4)]
    made_up = [fail(client, "nobody")[1] for _ in range(4)]
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    for a, b in zip(real, made_up, strict=True):
        a, b = token.sub("", a), token.sub("", b)
        assert a.replace('value="editor"', "") == b.replace('value="nobody"', "")
