import hashlib
import json
import os
from pathlib import Path

import pytest

from ingest.loaders import load_articles, normalize_text, parse_date
from ingest.models import Article, Skipped
from tests.conftest import ARTICLE


def _load(*paths):
    return list(load_articles([str(p) for p in paths]))


def test_bundled_article_loads_unchanged():
    (article,) = _load(ARTICLE)
    assert isinstance(article, Article)
    assert article.id == ARTICLE.resolve().as_posix()
    assert article.text == normalize_text(ARTICLE.read_text(encoding="utf-8"))
    assert article.title.startswith("The Ministry of Industry and Information Technology")
    assert "Latest Reads:" in article.text  # boilerplate is kept as published


def test_title_and_date_from_text(tmp_path: Path):
    (tmp_path / "a.txt").write_text(
        "Harbour bridge reopens\nPublished: March 3, 2024\n\nThe bridge reopened today.\n"
    )
    (tmp_path / "b.md").write_text(
        "---\ntitle: Front matter title\ndate: 2023-05-06\n---\n# Heading\n\nBody text here.\n"
    )
    (tmp_path / "c.md").write_text(
        "# Storm hits coast\n\nWinds reached 120 km/h on 14 June 2022.\n"
    )
    a, b, c = _load(tmp_path)
    assert (a.title, a.published) == ("Harbour bridge reopens", "2024-03-03")
    assert (b.title, b.published) == ("Front matter title", "2023-05-06")
    assert not b.text.startswith("---")
    assert (c.title, c.published) == ("Storm hits coast", None)


def test_dateline_at_start():
    assert parse_date("Mar 15, 2023 ... Launched on March 14") == "2023-03-15"
    assert parse_date("no date here, 2,400 firms") is None
    assert parse_date("on 2024-02-30") is None  # not a real day


@pytest.mark.parametrize(
    ("head", "published"),
    [
        ("PORT ELLERY, March 8, 2025 — A strike by ferry crews was called off.", "2025-03-08"),
        ("PORT ELLERY (March 8, 2025) - A strike by ferry crews was called off.", "2025-03-08"),
        ("HARWICK, 8 March 2025 (Northwind Press) -- The strike was called off.", "2025-03-08"),
        ("KESSLOW, Ostmark, 2025-03-08 — The strike was called off.", "2025-03-08"),
        ("March 8, 2025 — A strike by ferry crews was called off.", "2025-03-08"),
        ("Saturday, March 8, 2025\n\nA strike by ferry crews was called off.", "2025-03-08"),
        # a date in the story's first sentence is no dateline
        ("The strike of March 8, 2025 - the first in years - was called off.", None),
        ("The crews met on March 8, 2025 — and called the strike off.", None),
    ],
)
def test_a_wire_dateline_under_the_headline_dates_the_article(tmp_path: Path, head, published):
    # a new user's articles: "PORT ELLERY, March 8, 2025 — ..." was left undated, so a
    # --since filter never matched them
    (tmp_path / "ferry.txt").write_text(f"Ferry strike called off\n\n{head}\n\nCrews get 5.2%.\n")
    (article,) = _load(tmp_path)
    assert (article.title, article.published) == ("Ferry strike called off", published)


def test_a_placeholder_year_is_no_publication_date(tmp_path: Path):
    # a tester's feed: "-0001-01-01" was stored as published 0001-01-01, without a note
    # and a breaker's "9999-12-31", listed as the newest article
    dates = ["-0001-01-01", "0999-05-01", "2024-02-30", "9999-12-31", "1605-01-01"]
    feed = [
        {"title": f"Item {i}", "text": "The ferry resumes.", "date": d} for i, d in enumerate(dates)
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(item) for item in feed))
    items = _load(tmp_path)
    assert [a.published for a in items] == [None, None, None, None, "1605-01-01"]
    assert [a.notes for a in items[:4]] == [
        (f"date {d!r} is not a date: stored undated",) for d in dates[:4]
    ]


def test_bad_files_are_skipped_with_reasons(tmp_path: Path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.txt").write_text("  \n\t \n")
    (tmp_path / "headings.md").write_text("# One\n\n## Two\n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "good.TXT").write_text("Upper-case extension is fine.\nSecond line.")
    (tmp_path / "notes.csv").write_text("a,b\n")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted-target.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")  # a breaker's: was called broken
    (tmp_path / "stray-nul.txt").write_bytes(b"Pasted from a terminal\x00\x01\x02 text.")
    (tmp_path / "windows.txt").write_bytes("Saved as Unicode in Notepad.".encode("utf-16"))
    # without the byte-order mark, either order (a breaker's: "binary file")
    (tmp_path / "windows-le.txt").write_bytes("No mark, little end first.".encode("utf-16-le"))
    (tmp_path / "windows-be.txt").write_bytes("No mark, big end first.".encode("utf-16-be"))
    (tmp_path / "junk.txt").write_bytes(b"\x00\x01\x02binary")  # valid UTF-8, mostly control
    (tmp_path / "dots.txt").write_text("... --- !!! ***\n")  # a breaker's: was ingested
    items = _load(tmp_path, tmp_path / "missing.txt")
    reasons = {Path(i.path).name: i.reason for i in items if isinstance(i, Skipped)}
    assert reasons == {
        "empty.txt": "empty file (no text)",
        "blank.txt": "empty file (no text)",
        "headings.md": "Markdown with headings only, no body text",
        "binary.txt": "binary file, not text",
        "junk.txt": "binary file, not text",
        "dots.txt": "no words (only punctuation or symbols)",
        "missing.txt": "no such file or folder",
        "gone.txt": "broken symlink: its target does not exist",
        "zero.txt": "symlink to /dev/zero, not a regular file (a device, socket or pipe)",
    }
    assert _load(Path("/dev/null"))[0].reason.startswith("not a regular file")
    texts = {Path(i.id).name: i.text for i in items if isinstance(i, Article)}
    assert texts == {
        "good.TXT": "Upper-case extension is fine.\nSecond line.",
        "stray-nul.txt": "Pasted from a terminal text.",  # control bytes dropped, text kept
        "windows.txt": "Saved as Unicode in Notepad.",
        "windows-le.txt": "No mark, little end first.",
        "windows-be.txt": "No mark, big end first.",
    }


def test_each_file_read_once_and_symlink_loops_do_not_hang(tmp_path: Path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "story.txt").write_text("A story.\nWith two lines.")
    (sub / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "alias.txt").symlink_to(sub / "story.txt")
    items = _load(tmp_path, sub / "story.txt")
    assert len([i for i in items if isinstance(i, Article)]) == 1


def test_normalisation():
    assert normalize_text("ﬁnal\r\nline\x07") == "final\nline"
    # a breaker's: a vertical tab (Word's line break) and a form feed (pdftotext's page
    # break) were dropped, and "daily.The line cost ..." read as one sentence
    text = "daily.\x0cThe line cost 310 million.\x0bTickets cost 2 euros.\u2028Next\x85Last\rEnd"
    assert normalize_text(text).split("\n") == [
        "daily.", "The line cost 310 million.", "Tickets cost 2 euros.", "Next", "Last", "End"
    ]  # fmt: skip


def test_same_name_in_two_folders_are_two_articles(tmp_path: Path):
    for d, mayor in (("x", "Alice Xu"), ("y", "Bob Yang")):
        (tmp_path / d).mkdir()
        (tmp_path / d / "same.txt").write_text(f"Town news\nThe mayor is {mayor}.")
    items = _load(tmp_path / "x", tmp_path / "y", tmp_path / "x" / "same.txt")
    assert len({i.id for i in items}) == 2 and len(items) == 2


def test_hostile_front_matter_and_names_are_skipped_or_survived(tmp_path: Path):
    (tmp_path / "baddate.md").write_text(
        "---\ntitle: [a, b]\npublished: 2024-02-30\n---\nBody text.\n"
    )
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    (tmp_path / "bomb.md").write_text(bomb + "title: *b\n---\nStill a story.\n")
    (tmp_path / os.fsdecode(b"bad-\xff.txt")).write_text("Name is not UTF-8.")
    (tmp_path / "z.txt").write_text("Last file is still read.")
    items = {Path(i.path if isinstance(i, Skipped) else i.source).name: i for i in _load(tmp_path)}
    assert isinstance(items["baddate.md"], Article) and items["baddate.md"].published is None
    assert items["baddate.md"].title == "Body text."
    assert isinstance(items["bomb.md"], Article) and len(items["bomb.md"].title) < 300
    assert items["bomb.md"].notes[0].startswith("front matter is not 'key: value' fields")
    assert isinstance(items["z.txt"], Article)
    bad = [i for i in items.values() if isinstance(i, Skipped)]
    assert len(bad) == 1 and "not valid UTF-8" in bad[0].reason


def test_legacy_encodings_are_decoded(tmp_path: Path):
    french = "Le café crème coûte 3 euros à Paris, déclare le propriétaire du bistrot."
    chinese = "北京市今天宣布新的电信试点项目，外资企业可以申请参与。官员表示这将促进数字经济发展。"
    (tmp_path / "fr.txt").write_bytes(("Bistrot\n" + french).encode("cp1252"))
    (tmp_path / "zh.txt").write_bytes(("新闻\n" + chinese).encode("gb18030"))
    fr, zh = _load(tmp_path)
    assert french in fr.text and normalize_text(chinese) in zh.text
    assert "\ufffd" not in fr.text + zh.text


def test_windows_1252_is_not_read_as_a_baltic_code_page(tmp_path: Path):
    # a breaker's files: charset_normalizer chose cp775 for both ("Montrķal", "Ć5 million")
    french = (
        "Économie à Montréal: le maire François Gagné annonce que la façade du musée coûtera "
        "douze millions de dollars. Les élèves du quartier réclament un accès gratuit."
    )
    english = "The minister said “we will build 40 homes” – a promise made in Zürich. It costs €5m."
    russian = "Мэр города объявил о строительстве нового моста через реку в следующем году."
    (tmp_path / "a.txt").write_bytes(("Musée\n" + french).encode("latin-1"))
    (tmp_path / "b.txt").write_bytes(("Homes\n" + english).encode("cp1252"))
    (tmp_path / "c.txt").write_bytes(("Мост\n" + russian).encode("cp1251"))
    # a breaker's: Polish in Windows-1250 was read as Windows-1252 ("zosta³", then "zosta3")
    polish = "Port w Gdańsku został ponownie otwarty w poniedziałek, może za 4,2 mln złotych."
    (tmp_path / "d.txt").write_bytes(("Port\n" + polish).encode("cp1250"))
    (tmp_path / "e.txt").write_bytes("Tank\nThe tank holds 100 m³ of water.".encode("cp1252"))
    fr, en, ru, pl, tank = _load(tmp_path)
    assert french in fr.text and english in en.text and russian in ru.text
    assert polish in pl.text and "m3 of water" in tank.text  # NFKC: "³" is a 3


def test_a_stray_byte_in_utf8_text_is_dropped_not_the_article(tmp_path: Path):
    # a breaker's file: one 0xE9 byte in UTF-8 text skipped it as "an unknown encoding"
    text = "Le café de Montréal rouvre lundi, a déclaré la mairie."
    raw = text.encode("utf-8")
    (tmp_path / "a.txt").write_bytes(b"Caf\xc3\xa9\n" + raw[:20] + b"\xe9" + raw[20:])
    (tmp_path / "b.txt").write_bytes(("Café\n" + text).encode("latin-1"))  # no UTF-8 in it
    damaged, latin = _load(tmp_path)
    assert damaged.text == "Café\n" + text
    assert latin.text == "Café\n" + text


def test_lines_in_windows_1252_do_not_turn_utf8_lines_to_mojibake(tmp_path: Path):
    # a tester's file: three UTF-8 lines and three in Windows-1252 read as "CafÃ© owners"
    utf8 = [f"Café owners in Lyon report {n} percent more guests this spring." for n in (3, 4, 5)]
    french = [f"Le marché de Noël attire {n} visiteurs, déclare la mairie." for n in (6, 7, 8)]
    raw = "\n".join(utf8).encode("utf-8") + b"\n" + "\n".join(french).encode("cp1252")
    (tmp_path / "mixed.txt").write_bytes(raw)
    (article,) = _load(tmp_path)
    assert article.text == "\n".join(utf8 + french)
    assert article.notes == (
        "the file mixes encodings: its lines that are not UTF-8 were read as Windows-1252",
    )


def test_a_few_windows_1252_letters_in_utf8_text_are_kept(tmp_path: Path):
    # two such bytes were dropped as stray: "José ... naïve" became "Jos ... nave" (breaker)
    raw = "Café owners in Lyon met.\n".encode() + "José said the naïve plan failed.".encode(
        "cp1252"
    )
    (tmp_path / "few.txt").write_bytes(raw)
    (article,) = _load(tmp_path)
    assert article.text == "Café owners in Lyon met.\nJosé said the naïve plan failed."
    assert article.notes and "mixes encodings" in article.notes[0]


def test_encoded_data_is_not_prose(tmp_path: Path):
    import base64

    # a breaker's 400 KB blob became 2,048 chunks
    blob = base64.b64encode(bytes(range(256)) * 200).decode()
    lines = [blob[i : i + 76] for i in range(0, len(blob), 76)]  # as MIME writes it
    (tmp_path / "blob.txt").write_text("Attachment\n" + "\n".join(lines))
    story = "Ferry\nThe ferry resumes on Monday: https://example.org/ferries/2024/timetable."
    (tmp_path / "story.txt").write_text(story)
    blob_item, article = _load(tmp_path)
    assert isinstance(blob_item, Skipped) and blob_item.reason.startswith("encoded data")
    assert isinstance(article, Article)


def test_joiners_inside_latin_words_are_dropped(tmp_path: Path):
    assert normalize_text("ex\u200dtend to the air\u200cport, re\u00adcord") == (
        "extend to the airport, record"
    )
    assert normalize_text("می\u200cخواهم") == "می\u200cخواهم"  # Persian keeps its ZWNJ


def test_html_main_text_and_metadata(tmp_path: Path):
    (tmp_path / "page.HTML").write_text(
        '<html><head><title>Harbour bridge reopens</title><meta name="author" content="Ann Lee">'
        '<meta property="article:published_time" content="2024-03-03T10:00:00Z"></head><body>'
        '<nav><a href="/">Home</a> <a href="/w">World news menu</a></nav><script>var x=1;</script>'
        "<article><h1>Harbour bridge reopens</h1><p>The harbour bridge reopened on Monday after a "
        "two-year repair costing 40 million euros, the city council said.</p><p>Traffic is "
        "expected to return to normal by Friday, officials added in a statement.</p></article>"
        "</body></html>"
    )
    (tmp_path / "empty.htm").write_text("<html><head><title>x</title></head><body></body></html>")
    empty, page = _load(tmp_path)
    assert isinstance(page, Article) and page.title == "Harbour bridge reopens"
    assert page.published == "2024-03-03" and page.metadata == {"author": "Ann Lee"}
    assert "40 million euros" in page.text
    assert "var x" not in page.text and "World news menu" not in page.text
    assert isinstance(empty, Skipped) and empty.reason == "no main text found in the page"


def test_html_nested_past_libxml2s_limit_is_read(tmp_path: Path):
    # a breaker's: 260 unclosed <font> tags, and the page was skipped as having no text
    story = (
        "The old mill in Halden was sold to a developer for 3 million euros on Friday, "
        "the council said, ending years of uncertainty over the site."
    )
    page = f"<html><head><title>Mill sold</title></head><body>{'<font size=2>' * 260}<p>{story}</p>"
    (tmp_path / "deep.html").write_text(page + "</body></html>")
    (a,) = _load(tmp_path)
    assert isinstance(a, Article) and a.title == "Mill sold" and story in a.text


def test_html_publisher_is_kept_as_the_source_name(tmp_path: Path):
    # a tester's page: --source "Metro Herald" matched nothing, the site name was dropped
    (tmp_path / "page.html").write_text(
        '<html><head><title>Bridge reopens</title><meta property="og:site_name" '
        'content="Metro Herald"></head><body><article><p>The harbour bridge reopened on '
        "Monday after a two-year repair costing 40 million euros, the council said.</p>"
        "</article></body></html>"
    )
    (page,) = _load(tmp_path)
    assert page.metadata == {"source_name": "Metro Herald"}


def test_html_markup_outside_html_files_is_read_as_its_text(tmp_path: Path):
    # a breaker's: tags, entities and scripts were indexed and quoted from a feed body and
    # a page saved as .txt, and a Markdown paragraph written as <p> was dropped
    from ingest.loaders import HTML_NOTE

    story = "The harbour bridge reopened on Monday after a two-year repair, the council said."
    (tmp_path / "a-page.txt").write_text(
        "<!DOCTYPE html><html><head><title>Bridge reopens</title></head><body><nav><a "
        f'href="/">Home</a></nav><article><p>{story}</p><p>Traffic is expected to return '
        "to normal by Friday, officials added.</p></article><script>var x=1;</script></body></html>"
    )
    (tmp_path / "b-fragment.txt").write_text(
        f"<p>{story.replace(' the council', ' <b>the council</b>')}</p>"
        "<p>Tolls rise to &pound;3 &amp; more.<br>Cyclists ride free.</p><script>track()</script>"
    )
    (tmp_path / "c-prose.txt").write_text(
        "Editors mark bold text with the <b> tag, the style guide says, and never with caps."
    )
    (tmp_path / "d.md").write_text(
        f'# Bridge reopens\n\n<div class="lede">\n<p>{story}</p>\n</div>\n\n'
        "<!-- an editor's comment -->\n\nTraffic returns by *Friday*.\n"
    )
    body = f"<p>{story}</p><p>Tolls &amp; fees.</p>"
    (tmp_path / "e.jsonl").write_text(json.dumps({"id": "w1", "title": "B", "content": body}))
    page, fragment, prose, md, item = _load(tmp_path)
    assert isinstance(page, Article) and page.title == "Bridge reopens"
    assert story in page.text and "<" not in page.text and "var x" not in page.text
    assert isinstance(fragment, Article) and fragment.notes == (HTML_NOTE,)
    assert fragment.text == f"{story}\n\nTolls rise to £3 & more.\nCyclists ride free."
    assert isinstance(prose, Article) and "<b> tag" in prose.text and not prose.notes
    assert isinstance(md, Article)
    assert md.text == f"Bridge reopens\n\n{story}\n\nTraffic returns by Friday."
    assert isinstance(item, Article) and item.notes == (HTML_NOTE,)
    assert item.text == f"{story}\n\nTolls & fees."


def test_markup_in_plain_text_keeps_its_lines_and_what_is_not_markup(tmp_path: Path):
    # the breaker's second pass over the reader above
    from ingest.loaders import HTML_NOTE

    (tmp_path / "a-bold.txt").write_text(
        "Kelby Mayor Resigns\n\nThe mayor, Jonas Vik, resigned on Wednesday after <b>eleven "
        "years</b> in office.\nHis deputy will serve until <i>September</i>.\n"
    )
    (tmp_path / "b-about-tags.txt").write_text(
        "Guidance updated\n\nAuthors should use the <strong> element for important text; "
        "the <table> element must not be used for layout, nor the <br> element for spacing."
    )
    (tmp_path / "c-table.txt").write_text(
        "Museum figures\n\n<table><tr><th>Year</th><th>Visitors</th></tr>"
        "<tr><td>2023</td><td>45,000</td></tr></table>\n"
        "<p>Write to <desk@museum.example> for details.</p>"
    )
    (tmp_path / "d-entities.txt").write_text("AT&amp;T agreed a deal worth &euro;3&nbsp;billion.")
    (tmp_path / "e-page.md").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE html>\n<html><head><title>Bridge opens</title></head>'
        "<body><article><p>The new bridge in Norvik opened on Saturday after four years of "
        "work, the city said.</p></article></body></html>"
    )
    (tmp_path / "f.md").write_text(
        "<h1>Storm &amp; floods</h1>\n\nWater rose on Friday, the agency said.<br>Some 300 "
        "homes were evacuated.\n"
    )
    items = [
        {"id": "cdata", "title": "Zoo &amp; <b>giraffe</b>", "body": "<![CDATA[<p>A giraffe "
         "was born on Sunday, keepers said.</p>]]>"},
        {"id": "escaped", "title": "T", "body": "&lt;p&gt;The airport opened a terminal on "
         "Tuesday.&lt;/p&gt;"},
    ]  # fmt: skip
    (tmp_path / "g.jsonl").write_text("\n".join(json.dumps(i) for i in items))
    bold, about, table, entities, page, md, cdata, escaped = _load(tmp_path)
    assert bold.text == (
        "Kelby Mayor Resigns\n\nThe mayor, Jonas Vik, resigned on Wednesday after eleven "
        "years in office.\nHis deputy will serve until September."
    )
    assert bold.title == "Kelby Mayor Resigns" and bold.notes == (HTML_NOTE,)
    assert "<strong> element" in about.text and "<br> element" in about.text
    assert not about.notes
    assert "| Year | Visitors |\n| 2023 | 45,000 |" in table.text  # a row a line
    assert "Write to <desk@museum.example> for details." in table.text
    assert entities.text == "AT&T agreed a deal worth €3 billion."  # NFKC: no-break space
    assert page.title == "Bridge opens" and "<" not in page.text and "Norvik" in page.text
    assert md.title == "Storm & floods"
    assert "the agency said.\nSome 300 homes" in md.text
    assert cdata.title == "Zoo & giraffe" and cdata.text == (
        "A giraffe was born on Sunday, keepers said."
    )
    assert escaped.text == "The airport opened a terminal on Tuesday."


def test_pdf_pages_and_missing_text_layer(tmp_path: Path, counter):
    from ingest.chunking import chunk_article
    from tests.pdf import make_pdf

    first = "Harbour bridge reopens on Monday after two years of repairs."
    second = "Traffic should return to normal by Friday, the council said."
    (tmp_path / "a.pdf").write_bytes(make_pdf([first, second]))
    (tmp_path / "b.PDF").write_bytes(make_pdf([""]))
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    a, b, c = _load(tmp_path)
    assert isinstance(a, Article) and a.text == f"{first}\n\n{second}"
    assert a.page_starts == (0, len(first) + 2)
    pages = {ch.text: ch.metadata["page"] for ch in chunk_article(a, counter, 16, 0)}
    assert pages == {first: 1, second: 2}
    assert isinstance(b, Skipped) and "no text layer" in b.reason
    assert isinstance(c, Skipped) and c.reason.startswith("unreadable PDF")


def test_a_pdf_that_needs_a_missing_decoder_is_skipped_not_fatal(tmp_path: Path):
    # a breaker's: a JBIG2 stream (pypdf's DependencyError) ended the whole run with a
    # traceback, and the good file beside it was not ingested
    from tests.pdf import make_pdf

    text = "The Harlow tunnel opened on Sunday after six years of work."
    pdf = make_pdf([text])
    length = f"<< /Length {len(f'BT /F1 12 Tf 14 TL 72 720 Td ({text}) Tj ET')} >>"
    assert length.encode() in pdf
    (tmp_path / "a.pdf").write_bytes(
        pdf.replace(length.encode(), length[:-2].encode() + b"/Filter /JBIG2Decode >>")
    )
    (tmp_path / "b.txt").write_text("Tunnel opens\n\n" + text + "\n")
    a, b = _load(tmp_path)
    assert isinstance(a, Skipped) and a.reason.startswith("unreadable PDF"), a
    assert isinstance(b, Article)


def test_a_pdfs_date_and_title_are_the_texts_before_its_metadatas(tmp_path: Path):
    # a breaker's: a page printed to PDF was dated the day it was printed and titled with
    # the printing tool's "pdfsrc.html", its "Published:" line and headline unread
    from tests.pdf import make_pdf

    printed = {"Title": "pdfsrc.html", "CreationDate": "D:20261203175701"}
    text = (
        "Portmore ferry fares rise\nPublished: March 5, 2024\n"
        "Fares on the Portmore ferry will rise by 8 percent from May, the operator said on\n"
        "Tuesday, blaming higher fuel costs and the cost of new crew training schemes.\n"
        "A return ticket will cost 46 euros, up from 42 euros, from the first of May."
    )
    (tmp_path / "a.pdf").write_bytes(make_pdf([text], printed))
    # no date in the text: the file's own date stands; a title the text opens with is kept
    kept = {"Title": "Crane inquiry opens", "CreationDate": "D:20240611090000"}
    (tmp_path / "b.pdf").write_bytes(make_pdf(["Crane inquiry opens\nIt began today."], kept))
    a, b = _load(tmp_path)
    assert isinstance(a, Article) and isinstance(b, Article)
    assert (a.title, a.published) == ("Portmore ferry fares rise", "2024-03-05")
    assert (b.title, b.published) == ("Crane inquiry opens", "2024-06-11")


def test_an_html_page_without_a_metadata_date_is_dated_by_its_text(tmp_path: Path):
    # a breaker's page was stored undated though it opens "Published: March 5, 2024"
    (tmp_path / "a.html").write_text(
        "<html><head><title>Riverside park opens</title></head><body><article>"
        "<h1>Riverside park opens</h1><p>Published: March 5, 2024</p>"
        "<p>DUNMORE, March 5, 2024 - The Riverside park opened on Tuesday after two years of "
        "work, the council said. It cost 2 million euros.</p></article></body></html>"
    )
    (a,) = _load(tmp_path)
    assert isinstance(a, Article) and a.published == "2024-03-05", a


def test_pdf_lines_are_joined_into_paragraphs(tmp_path: Path):
    # a breaker's: each wrapped line of a PDF was a sentence, and "govern-" / "ment" stayed
    # cut ("The govern-" was the title)
    from tests.pdf import make_pdf

    page = (
        "Council approves budget\n"
        "The council voted on Tuesday to approve the govern-\n"
        "ment plan for a new bridge, a well-\n"
        "known design that will cost 4 million euros in\n"
        "total, officials said after the meeting.\n"
        "The mayor welcomed it."
    )
    (tmp_path / "a.pdf").write_bytes(make_pdf([page]))
    (a,) = _load(tmp_path)
    assert a.title == "Council approves budget"
    assert a.text == (
        "Council approves budget\nThe council voted on Tuesday to approve the government "
        "plan for a new bridge, a well-known design that will cost 4 million euros in total, "
        "officials said after the meeting. The mayor welcomed it."
    )


def test_json_and_jsonl_feeds(tmp_path: Path):
    feed = {
        "articles": [
            {
                "title": "Port strike ends",
                "body": "Dock workers returned on Tuesday.",
                "url": "https://example.org/a",
                "published_at": "2024-05-02T08:00:00Z",
                "author": None,
                "category": ["labour", "ports"],
            },
            {"title": "No body here"},
            "not an object",
            {"title": "A number", "body": 12345},
        ]
    }
    (tmp_path / "feed.json").write_text(json.dumps(feed))
    (tmp_path / "feed.jsonl").write_text(
        json.dumps({"text": "Rates held at 4%.", "source": "Wire"}) + "\n{broken\n"
    )
    items = _load(tmp_path)
    articles = [i for i in items if isinstance(i, Article)]
    skipped = {Path(i.path).name: i.reason for i in items if isinstance(i, Skipped)}
    assert [a.title for a in articles] == ["Port strike ends", "Rates held at 4%."]
    strike = articles[0]
    # ids do not hang on positions: the url's hash here, a hash of the text without a title
    url_key = hashlib.sha256(b"https://example.org/a").hexdigest()[:12]
    assert strike.id.endswith(f"feed.json#{url_key}") and strike.published == "2024-05-02"
    assert strike.metadata == {"url": "https://example.org/a", "category": '["labour", "ports"]'}
    assert articles[1].metadata == {"source_name": "Wire"}
    no_body = "feed.json#" + hashlib.sha256(b"No body here\n").hexdigest()[:12]
    assert skipped[no_body].startswith("feed item has no text")
    assert "not a JSON object" in skipped["feed.json#item-3"]
    # what is no JSON object is placed by its line (or position); the column is in the reason
    assert skipped["feed.jsonl#line-2"].startswith("line 2, column 2: not valid JSON (Expecting")
    number = "feed.json#" + hashlib.sha256(b"A number\n").hexdigest()[:12]
    assert set(skipped) == {no_body, "feed.json#item-3", number, "feed.jsonl#line-2"}
    assert skipped[number].endswith(": body is a number, not text")


def test_terminal_escape_sequences_are_dropped_whole(tmp_path: Path):
    """A breaker's: a feed's hyperlink escape left "]8;;http://evilclick" in the quoted
    text, and a title kept its colour codes."""
    item = {
        "title": "\x1b[31mHarbour\x1b[0m fees \x1b]0;pwned\x07rise",
        "text": "The \x1b]8;;http://evilclick\x1b\\harbour\x1b]8;;\x1b\\ fees rise by 4%.",
    }
    (tmp_path / "feed.jsonl").write_text(json.dumps(item))
    (article,) = _load(tmp_path)
    assert article.title == "Harbour fees rise"
    assert article.text == "The harbour fees rise by 4%."
    assert normalize_text("a\x1bcb \x1b[1;32mc\n\x1b]0;unended\nd") == "ab c\n\nd"


def test_a_feed_date_with_no_valid_time_is_read_with_a_note(tmp_path: Path):
    """A breaker's: "2024-05-02T25:99:00" was read as 2024-05-02 with nothing said."""
    lines = [
        {"text": "Rates held at 4%.", "published_at": "2024-05-02T25:99:00"},
        {"text": "Rates cut to 3%.", "published_at": "2024-06-02T09:30:00Z"},
        {"text": "Rates cut again.", "date": "2024-07-02 10:15"},
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(map(json.dumps, lines)))
    held, cut, again = _load(tmp_path)
    assert held.published == "2024-05-02"
    assert held.notes == (
        "published_at '2024-05-02T25:99:00' has no valid time of day: read as 2024-05-02",
    )
    assert (cut.published, cut.notes) == ("2024-06-02", ())
    assert (again.published, again.notes) == ("2024-07-02", ())


def test_json_feed_items_and_unix_times_are_read(tmp_path: Path):
    """A breaker's: JSON Feed 1.1 items (content_text, content_html, date_published) were
    skipped as having no text, and a Unix time was stored undated."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {"id": "1", "content_text": "Rates held at 4%.", "date_published": "2024-05-02"},
            {"id": "2", "content_html": "<p>Rates cut to <b>3%</b>.</p>", "date": 1754006400},
            {"id": "3", "text": "Rates cut again.", "date": 1754006400000},
            {"id": "4", "text": "Rates steady.", "date": 12},  # no Unix time of a story
        ],
    }
    (tmp_path / "feed.json").write_text(json.dumps(feed))
    got = {a.text: a.published for a in _load(tmp_path)}
    assert got == {
        "Rates held at 4%.": "2024-05-02",
        "Rates cut to 3%.": "2025-08-01",
        "Rates cut again.": "2025-08-01",
        "Rates steady.": None,
    }


def test_a_feed_item_takes_its_first_good_date_and_its_authors_names(tmp_path: Path):
    """A breaker's: "published": "n/a" beside a good date_published left the item undated,
    JSON Feed 1.1's authors were dropped, and a 400-digit Unix time stopped the run."""
    items = [
        {
            "id": "a",
            "published": "n/a",
            "date_published": "2024-06-03T09:00:00Z",
            "authors": [{"name": "Jane Doe"}, {"name": "Li Wei"}, {"url": "x"}],
            "content_text": "The ferry pier will be rebuilt.",
        },
        {"id": "b", "author": {"name": "Ana Ruiz"}, "content_text": "The pier reopens."},
        {"id": "c", "date_published": int("1" + "0" * 400), "content_text": "Fees rise."},
    ]
    (tmp_path / "feed.json").write_text(json.dumps({"items": items}))
    a, b, c = _load(tmp_path)
    assert (a.published, a.metadata["author"]) == ("2024-06-03", "Jane Doe, Li Wei")
    assert a.notes == ("published 'n/a' is not a date: date_published read instead",)
    assert (b.metadata["author"], b.notes) == ("Ana Ruiz", ())
    assert c.published is None and c.notes[0].startswith("date_published '1000")


@pytest.mark.parametrize(
    ("feed", "kind"),
    [
        ({"items": {"id": 1}}, "an object"),
        ({"items": "nope"}, "text"),
        ({"data": {"items": []}}, "an object"),
        ({"articles": [1, 2]}, "a list of no objects"),
    ],
)
def test_a_wrapper_whose_articles_are_no_list_says_so(tmp_path: Path, feed, kind):
    # a breaker's: skipped as "#e3b0c44298fc: feed item has no text"
    (tmp_path / "feed.json").write_text(json.dumps(feed))
    (skipped,) = _load(tmp_path)
    assert isinstance(skipped, Skipped) and skipped.path.endswith("feed.json")
    assert f"is {kind}, not a list of article objects" in skipped.reason


def test_an_over_nested_feed_line_skips_that_line_only(tmp_path: Path):
    # a breaker's feed: line 1 nested 100,000 deep made the whole feed unreadable
    deep = '{"body": ' + "[" * 100_000 + "]" * 100_000 + "}"
    good = json.dumps({"text": "The ferry to Brannock resumes on Monday.", "title": "Ferry"})
    (tmp_path / "deep.jsonl").write_text(deep + "\n" + good + "\n")
    first, second = _load(tmp_path)
    assert isinstance(first, Skipped) and first.reason == "line 1: JSON nested too deeply"
    assert isinstance(second, Article) and second.title == "Ferry"


def test_front_matter_keeps_its_good_fields(tmp_path: Path):
    """One bad date dropped every front-matter field (title, source, author), so a
    --source filter missed the article (found by a breaker helper)."""
    body = "The Almeria olive cooperative sold 900 tonnes of oil this season.\n"
    files = {
        "bad-date.md": "---\ntitle: Olive record\ndate: 2024-02-30\nsource: Reuters\n---\n",
        "number-title.md": "---\ntitle: 1984\nauthor: Ana Ruiz\n---\n",
        "bad-yaml.md": '---\ntitle: "Olive record\nsource: Reuters\ndate: 2024-03-01\n---\n',
        "unclosed.md": "---\n\nOlive record\n\n",
        "unclosed-fields.md": "---\ntitle: Olive record\nauthor: Ana Ruiz\n\n",
        "rule-then-note.md": "---\nNote: the figures are provisional.\n\n",
        "list.md": "---\n- Olive record\n- Reuters\n---\n",
    }
    for name, head in files.items():
        (tmp_path / name).write_text(head + body)
    got = {Path(a.id).name: a for a in _load(tmp_path) if isinstance(a, Article)}
    assert got["bad-date.md"].title == "Olive record"
    assert got["bad-date.md"].metadata["source_name"] == "Reuters"
    assert got["bad-date.md"].published is None  # February has no 30th
    assert got["number-title.md"].title == "1984"
    assert got["number-title.md"].metadata["author"] == "Ana Ruiz"
    assert got["bad-yaml.md"].metadata["source_name"] == "Reuters"
    assert got["bad-yaml.md"].published == "2024-03-01"
    assert got["unclosed.md"].title == "Olive record"
    unclosed = got["unclosed-fields.md"]  # the fence never closed: fields up to a blank line
    assert unclosed.title == "Olive record" and unclosed.metadata["author"] == "Ana Ruiz"
    assert unclosed.text.startswith("The Almeria olive cooperative")
    assert "Note: the figures are provisional." in got["rule-then-note.md"].text  # kept
    assert got["bad-yaml.md"].notes == ()  # read as key: value lines
    # what was not understood is said, not dropped silently (a breaker's finding)
    assert got["bad-date.md"].notes == ("date '2024-02-30' is not a date: stored undated",)
    assert got["list.md"].notes == (
        "front matter is not 'key: value' fields (or uses YAML anchors, or is over 20 kB): "
        "its title, date and source were not read",
    )
    assert got["number-title.md"].notes == got["bad-yaml.md"].notes == ()


def test_metadata_not_understood_is_noted(tmp_path: Path):
    body = "The Almeria olive cooperative sold 900 tonnes of oil this season.\n"
    (tmp_path / "list.md").write_text(
        "---\ntitle: [a, b]\nsource: [Reuters, AP]\ntags: [olives, farming]\n---\n" + body
    )
    feed = [{"text": body, "published": "next Tuesday", "author": {"id": 7}}]  # no name
    (tmp_path / "feed.json").write_text(json.dumps(feed))
    feed_item, listed = _load(tmp_path)
    assert listed.notes == (
        "source is a list: stored as its JSON text",
        "title is a list, not text: the title is read from the text",
    )  # a list of tags is as expected
    assert feed_item.notes == (
        "published 'next Tuesday' is not a date: stored undated",
        "author is an object: stored as its JSON text",
    )


def test_markdown_is_stored_as_the_text_a_reader_sees(tmp_path):
    """Found by a new-user helper: a Markdown heading was quoted as an answer with its
    '#', and links and emphasis markers were indexed as words."""
    from ingest.loaders import load_article
    from ingest.models import Article

    path = tmp_path / "council.md"
    path.write_text(
        "---\nauthor: Ana Ruiz\n---\n"
        "# Riverton council approves new library budget\n\n"
        "The **council** voted 7-2 on [Tuesday](https://example.org/vote) to approve\n"
        "the budget.\n\n"
        "## Opposition\n\n"
        "- Councillor *David Price*, who voted against, called it `too costly`.\n\n"
        "1984. The old library opened that year.\n"
    )
    article = load_article(path, "council.md")
    assert isinstance(article, Article)
    assert article.title == "Riverton council approves new library budget"
    assert article.metadata["author"] == "Ana Ruiz"
    for marker in ("#", "**", "](", "https://", "`", "*David"):
        assert marker not in article.text, marker
    assert "The council voted 7-2 on Tuesday to approve the budget." in article.text
    assert "Councillor David Price, who voted against, called it too costly." in article.text
    assert "1984. The old library opened that year." in article.text


def test_files_of_other_types_in_a_folder_are_listed_hidden_ones_not(tmp_path: Path):
    from ingest.loaders import iter_files

    hidden = [".DS_Store", ".git/config", ".github/ISSUE_TEMPLATE.md", ".draft.txt"]
    # and an index kept inside the folder (a breaker's: its files were listed)
    hidden += ["index/chroma.sqlite3", "index/keyword.sqlite3", "index/0a1b/data_level0.bin"]
    for name in ["story.txt", "notes.docx", "photo.PNG", "README", *hidden]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    unsupported: list[Path] = []
    listed = list(iter_files([tmp_path], unsupported))
    assert [Path(f[1]).name for f in listed if not isinstance(f, Skipped)] == ["story.txt"]
    assert sorted(p.name for p in unsupported) == ["README", "notes.docx", "photo.PNG"]


def test_feed_item_ids_are_their_own_or_from_their_content(tmp_path: Path):
    feed = [
        {"id": "wire-123", "title": "Ferry", "text": "The ferry resumes."},
        {"guid": "https://example.org/a#1", "text": "Rates held."},
        {"title": "Storm", "date": "2024-03-01", "text": "Winds of 120 km/h."},
        {"title": "Storm", "date": "2024-03-01", "text": "Winds of 120 km/h."},  # a duplicate
        {"text": "Untitled note."},
    ]
    lines = [json.dumps(item) for item in feed]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    keys = [a.id.split("#", 1)[1] for a in _load(tmp_path)]
    sha = lambda text: hashlib.sha256(text.encode()).hexdigest()[:12]  # noqa: E731
    storm = sha("Storm\n2024-03-01")
    assert keys[:3] == ["wire-123", sha("https://example.org/a#1"), storm]
    assert keys[3] == f"{storm}-{sha(json.dumps(feed[3], sort_keys=True))}"
    assert keys[4] == sha("Untitled note.") and len(set(keys)) == 5
    # a line removed or added elsewhere changes no other item's id
    (tmp_path / "feed.jsonl").write_text(
        "\n".join([json.dumps({"text": "New."}), *lines[2:], lines[0]])
    )
    assert [a.id.split("#", 1)[1] for a in _load(tmp_path)][1:] == [*keys[2:], keys[0]]


def test_a_feed_line_holding_a_line_separator_is_one_item(tmp_path: Path):
    # json.dumps(ensure_ascii=False) leaves U+2028 in a string; splitlines() broke the
    # item in two "not valid JSON" lines and lost it (breaker)
    from ingest.loaders import load_articles

    items = [
        {"id": "n1", "title": "Tallinn port", "text": "It handled 14 million.\u2028More came."},
        {"id": "n2", "text": "Riga bridge will close in June."},
    ]
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = list(load_articles([tmp_path / "feed.jsonl"]))
    assert not [g for g in got if isinstance(g, Skipped)], got
    assert sorted(g.id.rsplit("#", 1)[1] for g in got) == ["n1", "n2"]  # type: ignore[union-attr]


def test_one_article_with_a_data_or_items_field_is_not_a_wrapper(tmp_path: Path):
    # {"data": {...}} and {"items": ["photo1.jpg"]} were read as feed wrappers and the
    # article was lost (breaker)
    from ingest.loaders import load_articles

    one = {"id": "s1", "title": "Single", "text": "The ferry resumes.", "data": {"views": 3}}
    two = {"id": "s2", "title": "Photos", "text": "The bridge opens.", "items": ["p1.jpg"]}
    feed = {"items": [{"id": "f1", "title": "Fed", "text": "Rates held."}]}
    for name, obj in (("one.json", one), ("two.json", two), ("feed.json", feed)):
        (tmp_path / name).write_text(json.dumps(obj), encoding="utf-8")
    got = {g.title: g for g in load_articles([tmp_path]) if isinstance(g, Article)}
    assert sorted(got) == ["Fed", "Photos", "Single"]


def test_a_headline_alone_is_skipped_a_one_line_story_is_kept(tmp_path: Path):
    """A breaker's: a .txt holding only "Only A Headline" was indexed and quoted as the
    answer to "Only A Headline?"."""
    (tmp_path / "headline.txt").write_text("Only A Headline\n")
    (tmp_path / "story.txt").write_text("The ferry fares rise by 9 percent.\n")
    (tmp_path / "two.txt").write_text("Ferry fares rise\n\nFares rise by 9 percent\n")
    items = {Path(getattr(i, "path", None) or i.source).name: i for i in _load(tmp_path)}
    assert isinstance(items["headline.txt"], Skipped)
    assert items["headline.txt"].reason.startswith("a headline only")
    assert isinstance(items["story.txt"], Article) and isinstance(items["two.txt"], Article)


def test_a_file_named_as_a_feeds_item_is_skipped(tmp_path: Path):
    """A breaker's "feed.jsonl#wire-1.txt" beside feed.jsonl had the id of the feed's item
    "wire-1.txt": each ingest replaced one with the other."""
    item = {"id": "wire-1.txt", "title": "Wire one", "body": "Container volumes rose 12%."}
    (tmp_path / "feed.jsonl").write_text(json.dumps(item) + "\n")
    (tmp_path / "feed.jsonl#wire-1.txt").write_text("Cafe award\n\nThe cafe won an award.\n")
    (tmp_path / "notes #2.txt").write_text("Pier\n\nThe pier reopens on Monday.\n")  # no feed
    got = _load(tmp_path)
    articles = sorted((a.id.rsplit("/", 1)[1], a.title) for a in got if isinstance(a, Article))
    assert articles == [("feed.jsonl#wire-1.txt", "Wire one"), ("notes #2.txt", "Pier")]
    (skipped,) = [s for s in got if isinstance(s, Skipped)]
    assert "reads as an item of the feed feed.jsonl" in skipped.reason


def test_an_unreadable_folder_is_skipped_with_its_reason():
    """A folder the user may not enter ("lost+found" at a drive's root) aborted the run
    with a PermissionError traceback (a breaker's), as did a file named inside one. As
    root, the listing runs as user nobody, for whom the permission bits hold."""
    import shutil
    import subprocess
    import sys
    import tempfile

    from tests.conftest import ROOT

    top = Path(tempfile.mkdtemp(prefix="newsdesk-perm-"))  # pytest's folders are 0700
    try:
        news = top / "news"
        (news / "secret").mkdir(parents=True)
        story = "Ferry fares rise\n\nFares on the Wend crossing rise by 4 percent in May.\n"
        (news / "ok.txt").write_text(story, encoding="utf-8")
        (news / "secret" / "a.txt").write_text(story, encoding="utf-8")
        for folder in (top, news):
            folder.chmod(0o755)
        (news / "ok.txt").chmod(0o644)
        (news / "secret").chmod(0)
        code = (
            f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from ingest.loaders import iter_files\n"
            f"for x in iter_files([{str(news)!r}, {str(news / 'secret' / 'a.txt')!r}]):\n"
            "    print(getattr(x, 'reason', 'listed'))\n"
        )
        command = [sys.executable, "-c", code]
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv to drop to user nobody")
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        out = subprocess.run(command, capture_output=True, text=True, cwd=top)
        assert out.returncode == 0, out.stderr
        assert out.stdout.splitlines() == [
            "listed",
            "cannot read folder: Permission denied",
            "cannot read: Permission denied (check its folder's permissions)",
        ]
    finally:
        (top / "news" / "secret").chmod(0o755)
        shutil.rmtree(top)
