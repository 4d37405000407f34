"""Does a resolution's session fit its year and number? The bodies whose sessions are numbered
by the calendar, and the rule each follows.

- General Assembly: the Nth regular session opens in September 1945 + N and runs into the next
  year (the 1st, 1946; the 74th, September 2019 to September 2020). Its resolution numbers start
  with the session: 74/175 was adopted at the 74th session.
- Commission on Crime Prevention and Criminal Justice: one regular session a year since 1992 (the
  Nth in 1991 + N), reconvened in the December before it (the 27th: December 2017, May 2018).
- Resolution numbers of the GA, the CCPCJ and the Conference of the Parties start with the
  session that adopted them (GA 74/175, CCPCJ 27/5, COP 6/1).
- A session named by its year ("Substantive session of 2004", ECOSOC) is in that year.

The years of the Conference of the Parties' sessions (every two years or so) are not checked.
"""

import re

ORDINAL = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\s+(?:regular\s+|special\s+)?session\b", re.I)
OF_YEAR = re.compile(r"\bsession\s+of\s+(\d{4})\b", re.I)
# body code -> (offset, years): the Nth session falls in offset + N ... offset + N + years - 1
NUMBERED_SESSIONS = {"GA": (1945, 2), "CCPCJ": (1990, 2)}
NUMBER_STARTS_WITH_SESSION = {"GA", "CCPCJ", "COP"}


def number_session(body_code, number):
    """The session a resolution number names (74 for GA "74/175"), or None."""
    prefix = number.split("/", 1)[0] if number and "/" in number else ""
    return int(prefix) if body_code in NUMBER_STARTS_WITH_SESSION and prefix.isdigit() else None


def session_errors(body_code, session, number, year):
    """{field: message} for a session (or a number naming one) that cannot be right for this
    body and year."""
    errors = {}
    match = OF_YEAR.search(session or "")
    if match and year and int(match[1]) != year:
        errors["session"] = f"The session of {match[1]} cannot have adopted a resolution in {year}."
    match = ORDINAL.search(session or "")
    from_number = number_session(body_code, number)
    if match and from_number is not None and int(match[1]) != from_number:
        errors["session"] = (
            f"Resolution {number} was adopted at session {from_number}, not {int(match[1])}."
        )
    n, field = (int(match[1]), "session") if match else (from_number, "number")
    if n is None or not year or body_code not in NUMBERED_SESSIONS:
        return errors
    offset, span = NUMBERED_SESSIONS[body_code]
    first, last = offset + n, offset + n + span - 1
    if not first <= year <= last:
        errors.setdefault(
            field, f"Session {n} of the {body_code} falls in {first}–{last}, not in {year}."
        )
    return errors
