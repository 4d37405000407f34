"""The public pages are Jinja2 templates (templates/, core/jinja2.py); the admin's stay on
Django's engine (its own, with our overrides in core/templates/admin/)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines, loader
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template

PUBLIC = Path(settings.BASE_DIR) / "templates"
NAMES = sorted(str(p.relative_to(PUBLIC)) for p in PUBLIC.rglob("*") if p.is_file())


def test_the_public_templates_are_the_jinja2_backends_and_only_public():
    assert NAMES, "templates/ holds the public pages"
    assert not (PUBLIC / "admin").exists(), "the admin's overrides live in core/templates/admin/"
    assert engines.all()[0].name == "jinja2", "first: loader.get_template() finds a public page"


@pytest.mark.parametrize("name", NAMES)
def test_every_public_template_loads_from_jinja2(name):
    assert isinstance(loader.get_template(name), Jinja2Template)


def test_the_admin_stays_on_django_templates():
    template = loader.get_template("admin/change_form.html")
    assert isinstance(template, DjangoTemplate)
    # Our override (core/templates/admin/), extending the admin's own.
    assert Path(template.origin.name).is_relative_to(Path(settings.BASE_DIR) / "core")


@pytest.mark.django_db
def test_the_test_client_reads_a_jinja2_pages_context(client):
    response = client.get("/resolutions/?body=SC")
    assert response.status_code == 200
    assert {r.body.code for r in response.context["object_list"]} == {"SC"}
    assert "mandates/resolution_list.html" in [t.name for t in response.templates]
