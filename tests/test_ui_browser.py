"""End-to-end test of the Gradio chat UI in headless Chromium.

A fresh index is built from the bundled article with the real CLI (``newsdesk ingest``),
``newsdesk chat`` is started on a free port, and Playwright drives the page like a user:
type a question, press Enter, read the answer and its source cards.

Run: ``pytest tests/test_ui_browser.py -q`` (or ``-m browser``). Uses the system Chromium at
/usr/bin/chromium; the module is skipped when it is missing. Nothing is downloaded and
nothing is written into the working directory. The screenshot of the first answer is also
copied to /tmp/newsdesk-screens/answer.png for a human to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: the browser tests need Debian's chromium", allow_module_level=True
    )

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTICLE = REPO / "data" / "articles" / "miit-vas-pilot-foreign-firms.txt"
SCREENS = Path("/tmp/newsdesk-screens")

SERVER_START_TIMEOUT = 120  # seconds, until GET / answers 200
ANSWER_TIMEOUT = 60_000  # ms, for one answer to appear in the chat

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]


# --------------------------------------------------------------------------- server


def _child_env(workdir: Path) -> dict[str, str]:
    """The environment of the CLI subprocesses: offline, no analytics, no NEWSDESK_* leaks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        GRADIO_TEMP_DIR=str(workdir / "gradio-tmp"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (OSError, urllib.error.URLError):
        return None


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Ingest the bundled article into a temporary index and serve ``newsdesk chat`` on it."""
    workdir = tmp_path_factory.mktemp("newsdesk-ui")
    index = workdir / "index"
    env = _child_env(workdir)

    ingest = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "ingest", str(ARTICLE), "--persist-dir", str(index)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ingest.returncode == 0, (
        f"newsdesk ingest failed ({ingest.returncode}):\n{ingest.stdout}\n{ingest.stderr}"
    )

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newsdesk.cli",
                "chat",
                "--persist-dir",
                str(index),
                "--port",
                str(port),
            ],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while _status(url) != 200:
            if proc.poll() is not None:
                pytest.fail(
                    f"newsdesk chat exited with code {proc.returncode} before serving {url}:\n"
                    + log_path.read_text(errors="replace")
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"newsdesk chat did not answer 200 on {url} within {SERVER_START_TIMEOUT} s:\n"
                    + log_path.read_text(errors="replace")
                )
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A fresh browser context (so a fresh chat session) with the app loaded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        p = context.new_page()
        _open(p, server_url)
        yield p
    finally:
        context.close()


def _open(p: Page, url: str) -> None:
    p.goto(url)
    expect(p.get_by_role("heading", name="newsdesk")).to_be_visible()
    # The message box is the page's only text box; its placeholder disappears after the
    # first message, so it is found by role afterwards.
    expect(p.get_by_placeholder("Type a message...")).to_be_editable()


def _chat_log(p: Page) -> Locator:
    return p.get_by_role("log", name="chatbot conversation")


def _bot_messages(p: Page) -> Locator:
    return _chat_log(p).get_by_test_id("bot")


def _user_messages(p: Page) -> Locator:
    return _chat_log(p).get_by_test_id("user")


def _submit(p: Page, question: str) -> int:
    """Type ``question`` in the message box and press Enter; return the answer's index."""
    n = _user_messages(p).count()
    box = p.get_by_role("textbox")
    box.fill(question)
    box.press("Enter")
    expect(_user_messages(p)).to_have_count(n + 1)
    expect(_user_messages(p).nth(n)).to_contain_text(question)
    return n


def _answer(p: Page, n: int, expected: str | re.Pattern[str]) -> Locator:
    """Wait for bot message ``n`` to show ``expected``; return it."""
    bots = _bot_messages(p)
    expect(bots).to_have_count(n + 1, timeout=ANSWER_TIMEOUT)
    bot = bots.nth(n)
    expect(bot).to_contain_text(expected, timeout=ANSWER_TIMEOUT)
    return bot


def _ask(p: Page, question: str, expected: str | re.Pattern[str]) -> Locator:
    return _answer(p, _submit(p, question), expected)


def _assert_rendered(bot: Locator) -> None:
    """The markdown/HTML of the answer is rendered, not shown as raw text."""
    text = bot.inner_text()
    for raw in ("<sup>", "<mark>", "<small>", "&lt;", "&gt;", "&amp;", "**", "\n> "):
        assert raw not in text, f"raw markup {raw!r} visible in the answer:\n{text}"


# --------------------------------------------------------------------------- tests


def test_answer_with_citation(page: Page, tmp_path: Path) -> None:
    bot = _ask(page, "How many foreign-funded firms were approved for the pilot?", "13")

    # The answer is the quoted sentence with its [1] marker and the answer span in bold.
    answer = bot.locator("p").first
    expect(answer).to_contain_text(
        "has approved pilot programs for value-added services (VAS) for 13 foreign-funded firms"
    )
    expect(answer).to_contain_text("[1]")
    expect(answer.locator("strong")).to_have_text("13")  # the answer span, highlighted

    # The Sources section with source card [1]: title and where the quote stands.
    expect(bot.get_by_text("Sources", exact=True)).to_be_visible()
    expect(bot.locator("strong", has_text=re.compile(r"^\[1\]$"))).to_be_visible()
    expect(
        bot.get_by_text(re.compile(r"miit-vas-pilot-foreign-firms\.txt, characters \d+–\d+"))
    ).to_be_visible()
    _assert_rendered(bot)

    shot = tmp_path / "answer.png"
    page.screenshot(path=str(shot), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENS / "answer.png")


def test_follow_up_uses_conversation_history(page: Page, browser: Browser, server_url: str) -> None:
    follow_up = "What did he say the policy would help with?"

    _ask(page, "Who is the CEO of Airbus China?", "Xu Gang")
    bot = _ask(page, follow_up, "fleet management")
    expect(bot).to_contain_text("Xu Gang")
    _assert_rendered(bot)

    # That the history really reaches the chain (and changes the retrieval query) is
    # checked in tests/test_answer.py::test_followup_uses_history; a "no history" control
    # here would depend on how the answerer happens to score a one-article corpus.


def test_abstains_when_articles_do_not_answer(page: Page) -> None:
    bot = _ask(page, "Who won the 2018 World Cup?", "Not found in the articles")
    expect(bot.get_by_text("Sources", exact=True)).to_have_count(0)
    expect(bot).to_contain_text("miit-vas-pilot-foreign-firms.txt")  # the closest article
    _assert_rendered(bot)


def test_sessions_do_not_share_history(browser: Browser, server_url: str) -> None:
    q1 = "How many foreign-funded firms were approved for the pilot?"
    q2 = "Who is the CEO of Airbus China?"
    ctx1, ctx2 = browser.new_context(), browser.new_context()
    try:
        p1, p2 = ctx1.new_page(), ctx2.new_page()
        _open(p1, server_url)
        _open(p2, server_url)
        # Both questions are in flight at the same time.
        n1, n2 = _submit(p1, q1), _submit(p2, q2)
        _answer(p1, n1, "13")
        _answer(p2, n2, "Xu Gang")

        for p, own, other in ((p1, q1, q2), (p2, q2, q1)):
            expect(_user_messages(p)).to_have_count(1)
            expect(_bot_messages(p)).to_have_count(1)
            expect(_user_messages(p)).to_have_text([own])
            expect(_chat_log(p)).not_to_contain_text(other)

        # A reload starts a new, empty conversation; the other session is untouched.
        p1.reload()
        expect(p1.get_by_role("textbox")).to_be_editable()
        expect(_user_messages(p1)).to_have_count(0)
        expect(_user_messages(p2)).to_have_text([q2])
    finally:
        ctx1.close()
        ctx2.close()
