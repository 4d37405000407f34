"""Where a record's facts were read: its sources, one a line with their kind, and how a text
typed into a form is normalised. Plain functions and values; the records that use them are in
core/models.py (which names them too, for the modules that import them from there)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    COPY = "copy", _("Copy of the official document")
    SECONDARY = "secondary", _("Secondary")


# The sites of the UN system and of the organisations whose texts we record: a source there is
# "official". Any host ending in one of these (press.un.org, webarchive.unesco.org) counts.
OFFICIAL_HOSTS = (
    "un.org",
    "undocs.org",
    "unodc.org",
    "odccp.org",  # UNODC's former name and site
    "unvienna.org",  # the UN Information Service, Vienna
    "unic.org.in",  # the UN Information Centre, New Delhi
    "unesco.org",
    "iom.int",
    "basel.int",
    "interpol.int",
    "unidroit.org",
    "wcoomd.org",
    "osce.org",
    "icom.museum",
    "obs-traffic.museum",  # ICOM's observatory on illicit traffic
    "coe.int",  # the Council of Europe, for its own conventions
)

# Never cited: quiz pages and machine-translated mirrors of encyclopaedias.
BARRED_HOSTS = ("quizzclub.com", "xcv.wiki", "stringtranslate.com")


def _host_in(host, domains):
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass(frozen=True)
class Source:
    kind: str
    url: str

    @property
    def host(self):
        host = (urlsplit(self.url).hostname or "").rstrip(".")
        return host.removeprefix("www.")

    @property
    def is_official_host(self):
        return _host_in(self.host, OFFICIAL_HOSTS)

    def get_kind_display(self):
        return SourceKind(self.kind).label


def parse_sources(text):
    """The sources written one a line as "kind URL" ("copy https://..."); a bare URL on an
    official host is official. Returns (sources, errors)."""
    sources, errors = [], []
    validate = URLValidator(schemes=["http", "https"])
    kinds = {k.value for k in SourceKind}
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        kind, url = (words[0].lower(), words[1:]) if words[0].lower() in kinds else ("", words)
        if len(url) != 1:
            errors.append(f"“{line.strip()}”: write the kind, a space, then one web address.")
            continue
        try:
            validate(url[0])
        except ValidationError:
            errors.append(f"“{url[0]}” is not a web address.")
            continue
        source = Source(kind or SourceKind.OFFICIAL, url[0])
        if _host_in(source.host, BARRED_HOSTS):
            errors.append(f"{source.host} is not cited here (quiz pages, machine translations).")
        elif not kind and not source.is_official_host:
            errors.append(
                f"{source.host} is not an official site: start the line with “copy” (a "
                "reproduction of the official document) or “secondary” (news, blogs, databases)."
            )
        elif source.kind == SourceKind.OFFICIAL and not source.is_official_host:
            errors.append(
                f"{source.host} is not a site of the UN system or of a partner organisation: "
                "mark it “copy” or “secondary”."
            )
        else:
            sources.append(source)
    return sources, errors


def normalise_text(value):
    """Line endings as \\n and no trailing spaces on any line or at the end: what a browser sends
    back (\\r\\n) is then the same text as what it was sent."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")
