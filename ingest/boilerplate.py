"""Find page furniture in article text: "Related:" links, "Latest Reads:" lists and the like.

News pages as saved carry link lists and calls to action that are not part of the story.
They stay in the article text (offsets and the stored article are unchanged) but are not
indexed, so they can neither be retrieved nor quoted as an answer.

Rules, line by line:
  * a line that starts with a link-list marker (``Related:``, ``Read more:``, ``See also:``,
    ``Latest Reads:``, ``Most read``, ``You may also like``...) is boilerplate, unless a
    whole sentence follows its colon (eight words or more ending with a full stop);
  * when the marker line has nothing after its colon, the headline-like lines that follow
    (short, no closing full stop) are the list's items and boilerplate too;
  * lines that are only a call to action (``Subscribe to our newsletter``, ``Share this
    article``, ``Advertisement``) are boilerplate; one that opens ``Sign up``,
    ``Subscribe``, ``Follow us`` or ``Click here`` only when it is short (12 words) or
    speaks of what a site offers (a newsletter, alerts, social media, "our");
  * so are a menu or breadcrumb line (``Home | News | Contact``: three or more items of one
    to three words, letters only, between ``|``, ``•`` or ``·``; two when one is a page of
    the site, ``Home | About``), but not a table's row (see :func:`_table_rows`), a
    cookie notice in a notice's words ("we use cookies", "cookie policy", "accept all
    cookies", "cookies ... you agree"), a consent dialog's lines ("We and our 1,284
    partners ... your device", "I accept", "Your privacy choices") and a script notice
    that is short or speaks of the page (``You need to enable JavaScript to run this
    app.``, ``Enable JS``, ``This site requires JavaScript``);
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
#: A call to action opens like one and is short, or speaks of what a site offers: "Sign up
#: for the bakery's apprenticeship scheme closes on 30 June, and 120 young people have
#: applied" and "Follow us on the new library walking tour, which starts ..." are a
#: story's (a breaker's, dropped).
_OPEN_CALL = re.compile(r"^\s*(?:subscribe|sign up|follow us|click here)\b", re.I)
_SITE_OFFER = re.compile(
    r"\b(?:newsletters?|inbox|e-?mails?|alerts?|updates|notifications|twitter|facebook"
    r"|instagram|linkedin|youtube|tiktok|whatsapp|telegram|social media|podcasts?|our"
    r"|free|account|membership|unlimited|access|subscriptions?|subscribers?)\b",
    re.I,
)
#: Words a call to action, a script notice, or a link list's item past its colon keeps to.
SHORT_LINE_WORDS = 12


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
# a notice's own wording, not cookies and a verb anywhere in a line: "Its chocolate
# cookies sold 40,000 boxes, and customers agree ..." was dropped (a breaker's)
_COOKIE_WORDS = r"(?:\s+(?:all|the|our|your|these|optional|non-essential|essential|use|of))*"
_COOKIES = re.compile(
    r"\b(?:we|this (?:web)?site|our (?:web)?site|this page|the site)\b(?: and our partners)?"
    r"\s+(?:also\s+)?uses?\s+cookies\b"
    r"|\bcookies? (?:policy|settings|preferences|notice|consent|banner)\b"
    rf"|\b(?:accept|reject|agree to|consent to|manage){_COOKIE_WORDS}\s+cookies\b"
    r"|\bcookies?\b[^.]{0,60}\byou (?:accept|agree|consent)\b",
    re.I,
)
# a consent dialog in the first person with its "partners": "We and our 1,284 partners
# store and access information on your device, such as cookies ..." (a breaker's)
_CONSENT = re.compile(
    r"\b(?:we|our)\b(?: and our)? (?:[\d,]+ )?(?:advertising |third[- ]party )?partners\b"
    r".*\b(?:cookies?|your device|consent\w*|personali[sz]ed (?:ads|advertising)"
    r"|your preferences|(?:privacy|cookie|ad|advertising) preferences)\b"
    r"|\b(?:cookies?|your device|consent\w*)\b.*\bour (?:[\d,]+ )?partners\b",
    re.I,
)
_CONSENT_BUTTON = re.compile(
    r"^\s*(?:i accept|accept all|reject all|i agree|show purposes|manage (?:options|choices)"
    r"|(?:your )?privacy (?:choices|settings|preferences))\s*$",
    re.I,
)
#: A script notice is short, or speaks of the page ("... is required for the bakery's new
#: ordering app, which launches in the autumn" is a story's, a breaker's).
_PAGE = re.compile(r"\b(?:this|your|the) (?:site|page|app|website|browser)\b|\bbrowser\b", re.I)
_JS = r"(?:java\s?script|js)\b"  # a page of only scripts said "Enable JS" (a tester's)
_SCRIPT_NOTICE = re.compile(
    rf"^\s*(?:please\s+)?(?:you (?:need|have) to |you must )?(?:enable|turn on|activate) {_JS}.*$"
    rf"|^\s*{_JS} (?:is |must be )?(?:required|disabled|needed|enabled)\b.*$"
    rf"|^\s*this (?:site|page|app|website) (?:requires|needs) {_JS}.*$",
    re.I,
)


def _furniture(line: str, *, table_row: bool = False) -> bool:
    """A menu line (not a ``table_row``), a cookie or consent notice or a script notice
    (see the module docstring)."""
    if not table_row and (_MENU.match(line) or _MENU_OF_TWO.match(line)):
        return True
    if _CONSENT_BUTTON.match(line):
        return True
    if _REPORTED.search(line):
        return False
    if _SCRIPT_NOTICE.match(line) and (_short(line) or _PAGE.search(line)):
        return True
    if len(line) <= 600 and _CONSENT.search(line):
        return True
    return len(line) <= 400 and bool(_COOKIES.search(line))


def _short(line: str) -> bool:
    return len(line.split()) <= SHORT_LINE_WORDS


def _call_to_action(line: str) -> bool:
    """A call to action (see :data:`_CALL_TO_ACTION`) that does not report speech; an
    open-ended one (``Sign up ...``) only when short or it speaks of a site's offer."""
    if not _CALL_TO_ACTION.match(line) or _REPORTED.search(line):
        return False
    return not _OPEN_CALL.match(line) or _short(line) or bool(_SITE_OFFER.search(line))


def _sentence(text: str) -> bool:
    """A whole sentence, not a headline: eight words or more ending with a full stop
    ("Latest: the new shop on Quay Road will employ nine people from the town." is a
    story's line, a breaker's)."""
    words = len(text.split())
    return words >= 8 and text.rstrip().endswith((".", "!", "?", '."', ".”", ".’"))


def _headline_like(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped) <= 140 and not stripped.endswith((".", "?", "!", ":", "”", '"'))


_SITE_PAGE_CELL = re.compile(rf"(?:^|\|)\s*{_SITE_PAGE}\s*(?=\||$)", re.I)
_SEPARATOR_ROW = re.compile(r"[\s|:+-]*-{3,}[\s|:+-]*")


def _menu_like(line: str) -> bool:
    return bool(_MENU.match(line) or _MENU_OF_TWO.match(line))


def _table_rows(lines: list[str]) -> set[int]:
    """Indexes of ``lines`` that are rows of a table written with ``|`` between its cells.

    A run of two or more adjacent lines with the same number of ``|`` is a table when a
    line of it is no menu (a number, a long cell: "Rovers | Dunmore | 2-0"), it has a
    ``---`` line under its header, or it has three lines or more; unless every line of it
    names a page of the site. "Anna Brandt | Head Baker | Harbour" under "Name | Role |
    Branch" is a table's row (a breaker's, left out of the index as a menu); "World |
    Business | Sport" over "Politics | Science | Culture" is a menu (another's, indexed
    and quoted as an answer). A line at the run's edge that names two pages of the site
    ("Home | News | Contact" over a table) stays a menu.
    """
    rows: set[int] = set()
    i = 0
    while i < len(lines):
        bars = lines[i].count("|")
        j = i + 1
        while bars and j < len(lines) and lines[j].strip() and lines[j].count("|") == bars:
            j += 1
        run = list(range(i, j))
        i = j
        if len(run) < 2 or all(_SITE_PAGE_CELL.search(lines[r]) for r in run):
            continue
        if not (
            len(run) >= 3
            or any(_SEPARATOR_ROW.fullmatch(lines[r]) for r in run)
            or not all(_menu_like(lines[r]) for r in run)
        ):
            continue
        while run and _menu_like(lines[run[0]]) and _site_pages(lines[run[0]]) >= 2:
            run.pop(0)
        while run and _menu_like(lines[run[-1]]) and _site_pages(lines[run[-1]]) >= 2:
            run.pop()
        rows.update(run)
    return rows


def _site_pages(line: str) -> int:
    return sum(bool(_SITE_PAGE_CELL.match(f"|{cell}")) for cell in line.split("|"))


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``[(start, end), ...]`` of boilerplate lines in ``text``, in order."""
    spans: list[tuple[int, int]] = []
    in_list = False
    pos = 0
    lines = text.splitlines(keepends=True)
    table = _table_rows([line.rstrip("\n") for line in lines])
    for n, line in enumerate(lines):
        start, end = pos, pos + len(line.rstrip("\n"))
        pos += len(line)
        if not line.strip():
            continue
        m = _MARKER.match(line)
        rest = m.group("rest").strip() if m else ""
        if (
            m
            and (m.group("colon") or not rest)
            and not _REPORTED.search(line)
            and not _sentence(rest)
        ):
            spans.append((start, end))
            in_list = not rest
        elif (
            _call_to_action(line)
            or _furniture(line, table_row=n in table)
            or (in_list and _headline_like(line))
        ):
            spans.append((start, end))
        else:
            in_list = False
    return spans
