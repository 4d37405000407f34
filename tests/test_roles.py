"""Staff roles (mandates/migrations/0002_staff_roles.py) and who may see the admin.

"Editors" add, change, delete and view every record of the three apps; "Viewers" only view.
Anonymous visitors are sent to the login page, and the public pages show nothing from the admin.
"""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

staff_roles = importlib.import_module("mandates.migrations.0002_staff_roles")
review_roles = importlib.import_module("core.migrations.0002_review_roles")

pytestmark = pytest.mark.django_db

APPS = ("mandates", "instruments", "partners")
MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS),
    key=lambda model: model._meta.label,
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def expected_codenames(actions):
    return {
        f"{action}_{model._meta.model_name}"
        for label in APPS
        for model in django_apps.get_app_config(label).get_models()
        for action in actions
    }


@pytest.fixture
def roles():
    """The groups as the migration leaves them (a transactional test elsewhere may have flushed
    them from a reused test database; the migration's function is idempotent)."""
    staff_roles.create_roles(django_apps, None)
    review_roles.grant(django_apps, None)
    return {group.name: group for group in Group.objects.filter(name__in=staff_roles.ROLES)}


@pytest.fixture
def member(django_user_model, roles):
    def make(role):
        user = django_user_model.objects.create_user(role.lower(), password="x", is_staff=True)
        if role in roles:
            user.groups.add(roles[role])
        return user

    return make


def client_for(client, user):
    client.force_login(user)
    return client


def first_record(model):
    record = model._default_manager.order_by("pk").first()
    if record is None:
        pytest.skip(f"no {model._meta.label} in the reference data")
    return record


# --- the groups -----------------------------------------------------------------------------------


def test_the_migration_is_applied():
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("mandates", "0002_staff_roles") in applied


def test_roles_carry_exactly_their_permissions(roles):
    editors = {p.codename for p in roles["Editors"].permissions.all()}
    viewers = {p.codename for p in roles["Viewers"].permissions.all()}
    # The records, and the changes awaiting review (view only: publishers publish them).
    assert editors == expected_codenames(("add", "change", "delete", "view")) | {
        "view_pendingchange"
    }
    assert viewers == expected_codenames(("view",)) | {"view_pendingchange"}
    labels = {p.content_type.app_label for p in roles["Editors"].permissions.all()}
    assert labels == {*APPS, "core"}


def test_creating_roles_is_idempotent_and_reversible(roles):
    before = {name: set(group.permissions.all()) for name, group in roles.items()}
    staff_roles.create_roles(django_apps, None)
    assert Group.objects.filter(name__in=staff_roles.ROLES).count() == 2
    assert {name: set(group.permissions.all()) for name, group in roles.items()} == before

    class SchemaEditor:  # what RunPython hands the reverse function, as far as it looks
        connection = connection

    staff_roles.remove_roles(django_apps, SchemaEditor())
    assert not Group.objects.filter(name__in=staff_roles.ROLES).exists()
    assert Permission.objects.filter(codename="view_resolution").exists()  # left in place


def test_every_registered_model_of_the_apps_is_covered():
    assert {model._meta.app_label for model in MODELS} == set(APPS)


# --- what each role may do in the admin -------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_editors_open_add_and_change_forms(client, member, model):
    client = client_for(client, member("Editors"))
    assert client.get(admin_url(model, "changelist")).status_code == 200
    add = client.get(admin_url(model, "add"))
    assert add.status_code == 200
    assert b'name="_save"' in add.content
    change = client.get(admin_url(model, "change", first_record(model).pk))
    assert change.status_code == 200
    assert b'name="_save"' in change.content


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_viewers_see_but_cannot_change(client, member, model):
    client = client_for(client, member("Viewers"))
    assert client.get(admin_url(model, "changelist")).status_code == 200
    record = first_record(model)
    change = client.get(admin_url(model, "change", record.pk))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content  # read-only
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "add"), {}).status_code == 403
    assert client.post(admin_url(model, "change", record.pk), {}).status_code == 403
    assert client.post(admin_url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=record.pk).exists()


def test_the_403_page_explains_and_leaks_nothing(client, member):
    model = MODELS[0]
    response = client_for(client, member("Viewers")).post(admin_url(model, "add"), {})
    assert response.status_code == 403
    page = response.content.decode()
    assert "You are not allowed to do this" in page
    assert "Traceback" not in page and "PermissionDenied" not in page


def test_staff_without_a_role_see_no_records(client, member):
    client = client_for(client, member("Nobody"))
    assert client.get(admin_url(MODELS[0], "changelist")).status_code == 403
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert not index.context["app_list"]


# --- anonymous visitors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [reverse("admin:index"), *(admin_url(m, "changelist") for m in MODELS[:3])],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_posts_to_the_admin_change_nothing(client):
    model = MODELS[0]
    record = first_record(model)
    response = client.post(admin_url(model, "delete", record.pk), {"post": "yes"})
    assert response.status_code == 302
    assert model._default_manager.filter(pk=record.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        reverse("mandates:home"),
        reverse("mandates:resolution-list"),
        reverse("instruments:list"),
        reverse("partners:list"),
        reverse("mandates:body-list"),
        reverse("mandates:about"),
    ],
)
def test_public_pages_show_nothing_from_the_admin(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"/admin/" not in response.content
