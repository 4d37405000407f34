"""The import rules of the code map (README): no app imports `config`, and our apps import one
way, explore -> mandates -> instruments/partners -> core (pagecache beside them, imported by
mandates, importing none). Read from the source, so a function-level import counts too."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR).resolve()
OUR_APPS = sorted(
    config.name
    for config in apps.get_app_configs()
    if Path(config.path).resolve().parent == BASE_DIR  # the repository's own packages
)
# Which of our apps each app may import (besides itself).
MAY_IMPORT = {
    "core": set(),
    "pagecache": set(),
    "instruments": {"core"},
    "partners": {"core"},
    "mandates": {"instruments", "partners", "core", "pagecache"},
    "explore": {"mandates", "instruments", "partners", "core", "pagecache"},
}


def imported_packages(path):
    """(top-level package, line) of every absolute import in the module at `path`."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def modules(app):
    return sorted((BASE_DIR / app).rglob("*.py"))


def test_every_app_of_ours_has_a_rule():
    assert set(OUR_APPS) == set(MAY_IMPORT)


@pytest.mark.parametrize("app", OUR_APPS)
def test_no_app_imports_config(app):
    found = [
        f"{path.relative_to(BASE_DIR)}:{line}"
        for path in modules(app)
        for package, line in imported_packages(path)
        if package == "config"
    ]
    assert not found, f"{app} imports config (move the piece to core/): {found}"


@pytest.mark.parametrize("app", OUR_APPS)
def test_apps_import_one_way(app):
    forbidden = set(OUR_APPS) - MAY_IMPORT[app] - {app}
    found = [
        f"{path.relative_to(BASE_DIR)}:{line} imports {package}"
        for path in modules(app)
        for package, line in imported_packages(path)
        if package in forbidden
    ]
    assert not found, found


def test_the_scan_sees_an_import_of_config(tmp_path):
    """The scan itself: a module importing config, at the top or inside a function, is seen."""
    module = tmp_path / "views.py"
    module.write_text(
        "import json\nfrom config.views import x\n\ndef f():\n    import config.settings\n"
    )
    assert [p for p in imported_packages(module) if p[0] == "config"] == [
        ("config", 2),
        ("config", 5),
    ]
