"""A reproducible install: lock files with hashes that the Makefile, CI and the Dockerfile all
install from, and an image without tests or docs. (No container engine runs in the tests: the
Dockerfile is checked by reading it.)"""

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)")


def name(requirement):
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def locked(path):
    """{name: version} of a pip-compile lock file, each pin followed by at least one hash."""
    text = (BASE_DIR / path).read_text()
    pins = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = REQUIREMENT.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{match[1]} has no hash in {path}"
            pins[match[1].lower()] = match[2]
    return pins


@pytest.fixture(scope="module")
def project():
    return tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]


def test_the_lock_pins_every_dependency_with_hashes(project):
    production = locked("requirements.lock")
    assert {name(r) for r in project["dependencies"]} <= set(production)
    development = locked("requirements-dev.lock")
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    assert {name(r) for r in wanted} <= set(development)
    for package, version in production.items():  # the same versions in both
        assert development[package] == version, package
    assert "pytest" not in production and "playwright" not in production


def test_make_ci_and_the_image_install_from_the_lock():
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in makefile
    assert re.search(r"^lock: ", makefile, re.M)  # the one command that updates it
    assert "make test" in (BASE_DIR / ".ci" / "run").read_text()
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "COPY requirements.lock ./" in dockerfile
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile


def make_dry_run(target, venv):
    """The commands `make <target>` would run (make -n) with its virtualenv at `venv`."""
    result = subprocess.run(
        ["make", "-n", target, f"VENV={venv}"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


INSTALL_RUN = "pip install --quiet --require-hashes -r requirements.lock"
INSTALL_DEV = "pip install --quiet --require-hashes -r requirements-dev.lock"


def test_make_run_installs_what_serving_needs_and_test_the_tools_too(tmp_path):
    venv = tmp_path / "venv"
    fresh_run, fresh_test = make_dry_run("run", venv), make_dry_run("test", venv)
    assert INSTALL_RUN in fresh_run and INSTALL_DEV not in fresh_run
    assert INSTALL_RUN in fresh_test and INSTALL_DEV in fresh_test

    venv.mkdir()
    (venv / ".installed-run").touch()  # after `make run`: the tools are still missing
    after_run = make_dry_run("test", venv)
    assert INSTALL_DEV in after_run and INSTALL_RUN not in after_run
    assert INSTALL_RUN not in make_dry_run("run", venv)

    (venv / ".installed-dev").touch()  # after `make test`: `make run` installs nothing
    assert "pip install" not in make_dry_run("run", venv)
    assert "pip install" not in make_dry_run("test", venv)


def test_the_dockerfile_needs_no_frontend_and_documents_podman():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert not re.search(r"^#\s*syntax\s*=", dockerfile, re.M | re.I)
    assert "--format docker" in dockerfile
    assert re.search(r"^USER app$", dockerfile, re.M) and "HEALTHCHECK" in dockerfile


def test_the_image_leaves_tests_docs_and_benchmarks_out():
    ignored = {
        line.strip()
        for line in (BASE_DIR / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"tests", "docs", "bench", ".git", ".venv", "requirements-dev.lock"} <= ignored
    assert "requirements.lock" not in ignored
