"""Find page furniture in article text: "Related:" links, "Latest Reads:" lists and the like.

News pages as saved carry link lists and calls to action that are not part of the story.
They stay in the article text (offsets and the stored article are unchanged) but are not
indexed, so they can neither be retrieved nor quoted as an answer.

Rules, line by line:
  * a line that starts with a link-list marker (``Related:``, ``Read more:``, ``See also:``,
    ``Latest Reads:``, ``Most read``, ``You may also like``...) is boilerplate;
  * when the marker line has nothing after its colon, the headline-like lines that follow
    (short, no closing full stop) are the list's items and boilerplate too;
  * lines that are only a call to action (``Subscribe to our newsletter``, ``Share this
    article``, ``Advertisement``) are boilerplate;
  * so are a menu or breadcrumb line (``Home | News | Contact``: three or more items of one
    to three words, letters only, between ``|``, ``•`` or ``·``; two when one is a page of
    the site, ``Home | About``), a cookie notice (a line that speaks of cookies and asks
    to accept, agree, consent or manage them), a consent dialog's lines ("We and our 1,284
    partners ... your device", "I accept", "Your privacy choices") and a script notice
    (``You need to enable JavaScript to run this app.``, ``Enable JS``, ``This site
    requires JavaScript``);
  * but a line that reports what someone said (``..., the health board said.``) is the
    story's, whatever it opens with, unless it is a menu or consent button.

Deliberately not done: learned boilerplate removal (jusText, trafilatura's HTML
heuristics); for plain text these rules are transparent and testable.
"""

from __future__ import annotations

import re

_MARKER = re.compile(
    r"^\s*(?:related(?: articles| stories| news| posts| coverage)?|read (?:more|also|next)"
    r"|also read|see also|recommended(?: for you)?|latest(?: reads| news| stories)?"
    r"|more (?:from|on|stories)[^:\n]{0,40}(?=:)|most (?:read|popular)|trending(?: now)?"
    r"|popular(?: now)?|you (?:may|might) also like|further reading)"
    r"\s*(?P<colon>:)?\s*(?P<rest>.*)$",
    re.I,
)
_CALL_TO_ACTION = re.compile(
    r"^\s*(?:advertisement|subscribe(?: to| now)?\b.*|sign up\b.*|share this(?: article| story)?"
    r"|follow us\b.*|click here\b.*|(?:all )?rights reserved\.?|©.*)\s*$",
    re.I,
)


_MENU_ITEM = r"[A-Za-z][A-Za-z&'’]*(?: [A-Za-z&'’]+){0,2}"  # "Home", "World News"
_MENU = re.compile(rf"^\s*(?:{_MENU_ITEM}\s*[|•·]\s*){{2,}}{_MENU_ITEM}\s*$")
# two items when one is a page of the site: a page of only "<nav>Home | About</nav>" was
# indexed (a breaker's), and a story's "Finance | Maria Lopez" (a table) was dropped
# (another's)
_SITE_PAGE = (
    r"(?:home|about(?: us)?|news|contact(?: us)?|log ?in|sign in|register|search|menu"
    r"|subscribe|help|privacy|terms|sitemap|faq)"
)
_MENU_OF_TWO = re.compile(
    rf"^\s*(?:{_SITE_PAGE}\s*[|•·]\s*{_MENU_ITEM}|{_MENU_ITEM}\s*[|•·]\s*{_SITE_PAGE})\s*$",
    re.I,
)
#: A line that reports what someone said ("..., the health board said."): a story's, however
#: it opens ("Sign up numbers were ...", "Latest: Coast guard officials said ...",
#: "JavaScript is required by 98 percent of websites, chief engineer Ola Nes said."; a
#: breaker's lines, dropped as furniture).
_REPORTED = re.compile(r"\b(?:said|says|told|according to)\b[^\n]*[.!?][\"”’']?\s*$", re.I)
_COOKIES = re.compile(r"\bcookies?\b.*\b(?:accept|agree|consent|manage|preferences)\b", re.I)
_COOKIES_FIRST = re.compile(r"\b(?:accept|agree|consent|manage)\b.*\bcookies?\b", re.I)
# a consent dialog in the first person with its "partners": "We and our 1,284 partners
# store and access information on your device, such as cookies ..." (a breaker's)
_CONSENT = re.compile(
    r"\b(?:we|our)\b(?: and our)? (?:[\d,]+ )?(?:advertising |third[- ]party )?partners\b"
    r".*\b(?:cookies?|your device|consent\w*|personali[sz]ed (?:ads|advertising)|preferences)\b"
    r"|\b(?:cookies?|your device|consent\w*)\b.*\bour (?:[\d,]+ )?partners\b",
    re.I,
)
_CONSENT_BUTTON = re.compile(
    r"^\s*(?:i accept|accept all|reject all|i agree|show purposes|manage (?:options|choices)"
    r"|(?:your )?privacy (?:choices|settings|preferences))\s*$",
    re.I,
)
_JS = r"(?:java\s?script|js)\b"  # a page of only scripts said "Enable JS" (a tester's)
_SCRIPT_NOTICE = re.compile(
    rf"^\s*(?:please\s+)?(?:you (?:need|have) to |you must )?(?:enable|turn on|activate) {_JS}.*$"
    rf"|^\s*{_JS} (?:is |must be )?(?:required|disabled|needed|enabled)\b.*$"
    rf"|^\s*this (?:site|page|app|website) (?:requires|needs) {_JS}.*$",
    re.I,
)


def _furniture(line: str) -> bool:
    """A menu line, a cookie or consent notice or a script notice (see the module
    docstring)."""
    if _MENU.match(line) or _MENU_OF_TWO.match(line) or _CONSENT_BUTTON.match(line):
        return True
    if _REPORTED.search(line):
        return False
    if _SCRIPT_NOTICE.match(line):
        return True
    if len(line) <= 600 and _CONSENT.search(line):
        return True
    return len(line) <= 400 and bool(_COOKIES.search(line) or _COOKIES_FIRST.search(line))


def _headline_like(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped) <= 140 and not stripped.endswith((".", "?", "!", ":", "”", '"'))


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``[(start, end), ...]`` of boilerplate lines in ``text``, in order."""
    spans: list[tuple[int, int]] = []
    in_list = False
    pos = 0
    for line in text.splitlines(keepends=True):
        start, end = pos, pos + len(line.rstrip("\n"))
        pos += len(line)
        if not line.strip():
            continue
        m = _MARKER.match(line)
        if m and (m.group("colon") or not m.group("rest").strip()) and not _REPORTED.search(line):
            spans.append((start, end))
            in_list = not m.group("rest").strip()
        elif (
            (_CALL_TO_ACTION.match(line) and not _REPORTED.search(line))
            or _furniture(line)
            or (in_list and _headline_like(line))
        ):
            spans.append((start, end))
        else:
            in_list = False
    return spans
