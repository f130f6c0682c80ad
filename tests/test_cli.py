import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import BUNDLED
from tests.conftest import run_cli as run

ARTICLES = {
    "bridge.txt": "Bridge reopens\nThe harbour bridge reopened on Monday.",
    "storm.txt": "Storm warning\nA storm named Olga reached the coast at noon.",
}


def _docs(tmp_path, *names: str):
    """A ``docs`` folder of the named :data:`ARTICLES`, and an env for an index beside it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in names:
        (docs / name).write_text(ARTICLES[name])
    return docs, {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}


def test_ingest_ask_json_and_abstain(tmp_path):
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    first = run(["ingest", str(BUNDLED)], tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert "1 ingested" in first.stdout
    again = run(["ingest", str(BUNDLED), "--json"], tmp_path, **env)
    assert json.loads(again.stdout)["unchanged"] == [
        (BUNDLED / "miit-vas-pilot-foreign-firms.txt").resolve().as_posix()
    ]

    out = run(
        ["ask", "How many foreign-funded firms were approved for the pilot?", "--json"],
        tmp_path,
        **env,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert "13" in data["text"] and not data["abstained"]
    assert "13" in data["citations"][0]["quote"]

    out = run(["ask", "Who won the 2018 World Cup?"], tmp_path, **env)
    assert out.returncode == 0 and out.stdout.startswith("Not found in the articles")
    listed = json.loads(run(["list", "--json"], tmp_path, **env).stdout)
    assert [r["article_id"] for r in listed] == [
        (BUNDLED / "miit-vas-pilot-foreign-firms.txt").resolve().as_posix()
    ]
    assert listed[0]["chunks"] >= 1
    assert "1 article(s)" in run(["list"], tmp_path, **env).stdout
    assert not (tmp_path / ".newsdesk").exists()  # --persist-dir via env was honoured


def test_ask_without_index_says_what_to_do(tmp_path):
    out = run(["ask", "Anything?", "--persist-dir", str(tmp_path / "none")], tmp_path)
    assert out.returncode == 2
    assert "newsdesk ingest" in out.stderr and "Traceback" not in out.stderr
    # the command given builds that index, not the default one (a new user's)
    assert f"--persist-dir {tmp_path / 'none'}`" in " ".join(out.stderr.split())


def test_an_empty_persist_dir_is_refused(tmp_path):
    # a breaker's `ingest --persist-dir ""` wrote Chroma's files into the current folder
    (tmp_path / "a.txt").write_text("The ferry resumed on Monday after a strike.\n")
    out = run(["ingest", str(tmp_path / "a.txt"), "--persist-dir", ""], tmp_path)
    assert out.returncode == 2 and "--persist-dir" in out.stderr and "is empty" in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_ingest_nothing_ingestible(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "empty.txt").write_text("")
    out = run(["ingest", str(tmp_path / "docs"), "--persist-dir", str(tmp_path / "i")], tmp_path)
    assert out.returncode == 2 and "nothing ingestible" in out.stderr
    assert "empty file" in out.stdout and "Traceback" not in out.stderr
    out = run(["ingest", str(tmp_path / "nowhere"), "--persist-dir", str(tmp_path / "i")], tmp_path)
    # one error that says what is wrong (a new user's: a skip line, then "no article files")
    assert out.returncode == 2 and out.stdout == ""
    assert "nowhere: no such file or folder. Check the path" in out.stderr
    assert "no article files" not in out.stderr
    out = run(["ingest", "--json", "nowhere", "--persist-dir", str(tmp_path / "i")], tmp_path)
    assert out.returncode == 2 and "no such file or folder" in out.stderr  # stdout stays JSON
    assert json.loads(out.stdout)["skipped"] == [
        {"path": str(tmp_path / "nowhere"), "reason": "no such file or folder"}
    ]


def test_help_for_every_command(tmp_path):
    for cmd in ([], ["ingest"], ["list"], ["ask"], ["chat"], ["eval"]):
        out = run([*cmd, "--help"], tmp_path)
        assert out.returncode == 0 and "Usage" in out.stdout
        assert "…" not in out.stdout  # piped help wraps; no option name is cut short
        assert run([*cmd, "-h"], tmp_path).stdout == out.stdout
        if "Commands:" in out.stdout:  # the command list shows each description whole
            assert "...\n" not in out.stdout.split("Commands:")[1]
    assert "--fresh-index / --no-fresh-index" in out.stdout  # (eval, the last one)
    assert "--gold FILE" in out.stdout and "<path>" not in out.stdout  # named metavars
    from importlib.metadata import version

    out = run(["--version"], tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == f"newsdesk {version('newsdesk')}"


def test_rebuild_never_empties_the_index_for_nothing(tmp_path):
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    assert run(["ingest", str(BUNDLED)], tmp_path, **env).returncode == 0
    out = run(["ingest", "--rebuild", str(tmp_path / "typo")], tmp_path, **env)
    assert out.returncode == 2 and "index was left as it is" in out.stderr
    ask = run(["ask", "How many foreign-funded firms were approved?"], tmp_path, **env)
    assert "13" in ask.stdout


def test_ask_checks_every_setting(tmp_path):
    """A breaker's: `ask` sets sentence_vectors itself, so a bad
    NEWSDESK_SENTENCE_VECTORS passed unchecked."""
    out = run(["ask", "Who?"], tmp_path, NEWSDESK_SENTENCE_VECTORS="sometimes")
    assert out.returncode == 2
    assert "sentence_vectors must be one of background, lazy, ingest" in out.stderr


def test_ask_json_reports_a_failure_as_json(tmp_path):
    """A breaker's: with --json, a missing index printed plain text on stderr only, and a
    script parsing stdout got nothing."""
    out = run(["ask", "Who?", "--json", "--persist-dir", str(tmp_path / "nothere")], tmp_path)
    assert out.returncode == 2
    error = json.loads(out.stdout)
    assert error["type"] == "IndexNotFound" and "newsdesk ingest" in error["error"]
    assert "error:" in out.stderr


def _ask_stdin(tmp_path, text: str | None, *args: str, **env) -> subprocess.CompletedProcess[str]:
    """``newsdesk ask ARGS`` with ``text`` piped to its standard input (``None``: with
    standard input closed)."""
    return subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "ask", *args],
        cwd=tmp_path,
        input=text,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **env},
        preexec_fn=None if text is not None else lambda: os.close(0),
    )


def test_ask_answers_each_line_of_a_piped_file(tmp_path):
    """A new user's: each `newsdesk ask` paid the model load (8 s); a file of questions
    is now answered by one process, each question on its own, with bad lines reported."""
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    assert run(["ingest", str(BUNDLED)], tmp_path, **env).returncode == 0
    questions = (
        "How many foreign-funded firms were approved for the pilot?\n\n# skipped\n"
        f"{'x' * 3000}\nWho won the 2018 World Cup?\n"
    )
    out = _ask_stdin(tmp_path, questions, "--json", **env)
    assert out.returncode == 2  # the over-long line failed; the others were answered
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["question"][:20] for r in rows] == [
        "How many foreign-fun",
        "x" * 20,
        "Who won the 2018 Wor",
    ]
    assert "13" in rows[0]["text"] and "13" in rows[0]["citations"][0]["quote"]
    assert rows[1]["type"] == "BadInput" and "3000 characters" in rows[1]["error"]
    assert rows[1]["line"] == 4 and len(rows[1]["question"]) < 100  # not the whole line
    assert rows[2]["abstained"] and rows[2]["query"] == rows[2]["question"]  # no history
    text = _ask_stdin(tmp_path, "How many foreign-funded firms were approved?\n", **env)
    assert text.returncode == 0 and text.stdout.startswith("? How many foreign-funded")
    assert "[1] " in text.stdout and "13" in text.stdout
    empty = _ask_stdin(tmp_path, "\ufeff# a comment after a BOM\n\n", "-", **env)
    assert empty.returncode == 2 and "no question on standard input" in empty.stderr
    # a breaker's: a bad setting was reported once a line, as if each question were bad
    bad = _ask_stdin(tmp_path, "Who?\nWhat?\n", "--answerer", "bogus", **env)
    assert bad.returncode == 2 and bad.stderr.count("error:") == 1 and "answerer" in bad.stderr
    closed = _ask_stdin(tmp_path, None, **env)
    assert closed.returncode == 2 and "standard input is closed" in closed.stderr


def test_ask_at_a_terminal_keeps_the_conversation(tmp_path):
    """`newsdesk ask` at a terminal prompts for question after question, and a follow-up
    is rewritten with the earlier turns (a real pseudo-terminal, the real CLI)."""
    import pty
    import select
    import time

    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    assert run(["ingest", str(BUNDLED)], tmp_path, **env).returncode == 0
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI on the terminal
        os.chdir(tmp_path)
        os.environ.update({"HF_HUB_OFFLINE": "1", "TERM": "dumb", **env})
        os.execv(sys.executable, [sys.executable, "-m", "newsdesk.cli", "ask", "--json"])
    seen = b""

    def until_prompt(count: int) -> None:
        nonlocal seen
        deadline = time.monotonic() + 300
        while seen.count(b"question> ") < count:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if select.select([fd], [], [], 1)[0]:
                seen += os.read(fd, 65536)

    try:
        until_prompt(1)
        os.write(fd, b"Which ministry approved the pilot programs?\n")
        until_prompt(2)
        os.write(fd, b"How many firms did it approve?\n")
        until_prompt(3)
        os.write(fd, b"\n")  # an empty line ends
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    rows = [json.loads(line) for line in seen.decode().splitlines() if line.startswith("{")]
    assert len(rows) == 2 and "Ministry of Industry" in rows[0]["text"]
    assert rows[1]["query"] != rows[1]["question"]  # the follow-up was made standalone
    assert "13" in rows[1]["text"] and not rows[1]["abstained"]


def test_a_misspelt_path_fails_the_run_and_stops_a_rebuild(tmp_path):
    """A breaker's: `ingest good typo --rebuild` rebuilt from `good` alone (dropping what
    `typo`'s folder had given) and exited 0; without --rebuild it exited 0 too."""
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    assert run(["ingest", str(BUNDLED)], tmp_path, **env).returncode == 0
    typo = str(tmp_path / "typo")
    for flags in (["--rebuild"], ["--rebuild", "--dry-run"]):
        out = run(["ingest", str(BUNDLED), typo, *flags], tmp_path, **env)
        assert out.returncode == 2, out.stderr
        assert f"{typo}: no such file or folder; --rebuild would drop" in out.stderr
    out = run(["ingest", str(BUNDLED), typo], tmp_path, **env)
    assert out.returncode == 1 and "1 unchanged" in out.stdout
    assert f"error: {typo}: no such file or folder (the other paths were read)" in out.stderr
    listed = run(["list"], tmp_path, **env)
    assert "miit-vas-pilot-foreign-firms.txt" in listed.stdout


def test_a_rebuild_from_fewer_paths_reports_what_it_drops(tmp_path):
    """Found by a breaker helper: `--dry-run --rebuild` said the old chunks would be
    removed, the rebuild itself said "0 removed" and dropped them all the same."""
    docs, env = _docs(tmp_path, "bridge.txt")
    assert run(["ingest", str(BUNDLED), str(docs)], tmp_path, **env).returncode == 0
    dry = run(["ingest", "--rebuild", "--dry-run", "--json", str(docs)], tmp_path, **env)
    done = run(["ingest", "--rebuild", "--json", str(docs)], tmp_path, **env)
    assert done.returncode == 0, done.stderr
    would, did = json.loads(dry.stdout), json.loads(done.stdout)
    # the bundled article's chunks and the bridge story's one, re-added as one
    assert did["chunks_removed"] == would["chunks_removed"] > 1
    assert did["chunks_added"] == would["chunks_added"] == 1
    ask = run(["ask", "How many foreign-funded firms were approved?"], tmp_path, **env)
    assert ask.stdout.startswith("Not found in the articles")


def test_a_symlink_loop_is_skipped_with_its_reason(tmp_path):
    """Found by a breaker helper: a link to itself in a folder stopped the run with a
    traceback after the other files were written."""
    docs, _ = _docs(tmp_path, "bridge.txt")
    (docs / "loop.txt").symlink_to(docs / "loop.txt")
    out = run(["ingest", str(docs), "--json", "--persist-dir", str(tmp_path / "i")], tmp_path)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert len(report["ingested"]) == 1
    assert report["skipped"] == [
        {"path": str(docs / "loop.txt"), "reason": "symlink loop: the link leads back to itself"}
    ]


def test_metadata_not_understood_is_reported_as_a_note(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    body = "The harbour bridge reopened on Monday after a two-year repair.\n"
    (docs / "bridge.md").write_text("---\ntitle: Bridge\ndate: next Tuesday\n---\n" + body)
    index = ["--persist-dir", str(tmp_path / "i")]
    out = run(["ingest", str(docs), *index], tmp_path)
    assert out.returncode == 0, out.stderr
    where = (docs / "bridge.md").resolve()
    assert f"  note {where}: date 'next Tuesday' is not a date: stored undated" in out.stdout
    report = json.loads(run(["ingest", str(docs), "--json", "--rebuild", *index], tmp_path).stdout)
    assert report["notes"] == [
        {"path": str(where), "note": "date 'next Tuesday' is not a date: stored undated"}
    ]


def test_a_damaged_keyword_index_is_one_warning_line(tmp_path):
    # a breaker saw Python's raw RuntimeWarning, with the source line, on stderr
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    assert run(["ingest", str(BUNDLED)], tmp_path, **env).returncode == 0
    (tmp_path / "idx" / "newsdesk.keyword.sqlite3").write_bytes(b"garbage" * 500)
    out = run(["ask", "Who is the CEO of Airbus China?"], tmp_path, **env)
    assert out.returncode == 0 and "Xu Gang" in out.stdout
    assert out.stderr.startswith("warning: the keyword index ")
    assert "RuntimeWarning" not in out.stderr and "open_keyword_index(" not in out.stderr


def test_eval_checks_its_inputs_before_running(tmp_path):
    gold = BUNDLED.parent.parent / "evals" / "gold" / "miit.jsonl"
    bad = tmp_path / "t.json"
    for content, message in [
        ('{"minimum": {"answer_accuracy": 0.9}}', "unknown keys"),
        ('{"min": {"answer_acuracy": 0.9}}', "not a metric"),
        ('{"min": {"answer_accuracy": NaN}}', "must be a finite number"),
        ('{"min": {"answer_accuracy": true}}', "must be a finite number"),
        # no bound at all (a breaker's)
        ('{"min": {"answer_accuracy": Infinity}}', "must be a finite number"),
        ('{"max": {"answer_words_mean": 1e400}}', "must be a finite number"),
        # a byte-order mark is read past, as in gold files: the error is the metric's
        ('\ufeff{"min": {"answer_acuracy": 0.9}}', "not a metric"),
        ("[1, 2]", "expected an object"),
    ]:
        bad.write_text(content, encoding="utf-8")
        out = run(
            ["eval", "--gold", str(gold), "--corpus", str(BUNDLED), "--thresholds", str(bad)],
            tmp_path,
        )
        assert out.returncode == 2 and message in out.stderr, out.stderr
    out = run(["eval", "--gold", str(gold), "--corpus", str(tmp_path / "nope")], tmp_path)
    assert out.returncode == 2 and "corpus path not found" in out.stderr
    # --baseline needs the corpus files it builds the recipe from (it was silently left out)
    out = run(["eval", "--gold", str(gold), "--persist-dir", str(tmp_path), "--baseline"], tmp_path)
    assert out.returncode == 2 and "--baseline runs the recipe" in out.stderr
    # a question type that is no string is refused, not dropped
    typed = tmp_path / "typed.jsonl"
    typed.write_text('{"id": "a", "question": "Who?", "answers": ["x"], "type": ["x"]}\n')
    out = run(["eval", "--gold", str(typed), "--corpus", str(BUNDLED)], tmp_path)
    assert out.returncode == 2 and "field 'type' must be a non-empty string" in out.stderr


def test_prune_removes_articles_whose_files_are_gone(tmp_path):
    docs, env = _docs(tmp_path, "bridge.txt", "storm.txt")
    assert run(["ingest", str(docs)], tmp_path, **env).returncode == 0
    (docs / "storm.txt").unlink()
    (docs / "empty.txt").write_text("")
    out = run(["ingest", "docs", "--prune", "--json"], tmp_path, **env)  # a relative path
    report = json.loads(out.stdout)
    assert report["pruned"] == [(docs / "storm.txt").as_posix()] and report["chunks_removed"] == 1
    # paths in the JSON are absolute, skipped ones too
    assert report["unchanged"] == [(docs / "bridge.txt").as_posix()]
    assert report["skipped"] == [
        {"path": str(docs / "empty.txt"), "reason": "empty file (no text)"}
    ]
    ask = run(["ask", "Which storm reached the coast?", "--json"], tmp_path, **env)
    assert all("storm" not in r["article_id"] for r in json.loads(ask.stdout)["retrieved"])

    # the folder's last article goes too, beside a file that is skipped: the prune was
    # done (was: "nothing ingestible was found", exit 2, a breaker's)
    (docs / "bridge.txt").unlink()
    out = run(["ingest", "docs", "--prune"], tmp_path, **env)
    assert out.returncode == 0 and "the prune was done" in out.stderr, out.stderr
    assert "pruned bridge.txt: its file is gone" in out.stdout.replace(str(docs) + "/", "")
    # and in an empty folder (was: "no article files found", exit 2, kept)
    (docs / "storm.txt").write_text("Storm Orla\n\nStorm Orla reached the coast on Monday.")
    assert run(["ingest", "docs"], tmp_path, **env).returncode == 0
    (docs / "storm.txt").unlink()
    (docs / "empty.txt").unlink()
    out = run(["ingest", "docs", "--prune", "--json"], tmp_path, **env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["pruned"] == [(docs / "storm.txt").as_posix()]
    out = run(["ingest", "docs"], tmp_path, **env)  # without --prune an empty folder is an error
    assert out.returncode == 2 and "no article files" in out.stderr


def test_dry_run_says_what_would_change_and_writes_nothing(tmp_path):
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    out = run(["ingest", "--dry-run", str(BUNDLED)], tmp_path, **env)
    assert out.returncode == 0, out.stderr
    assert "articles 1 would be ingested" in out.stdout and "chunks 4 would be added" in out.stdout
    assert "dry run: nothing was written" in out.stdout
    ask = run(["ask", "How many foreign-funded firms were approved?"], tmp_path, **env)
    assert ask.returncode == 2 and "newsdesk ingest" in ask.stderr  # still no index

    assert run(["ingest", str(BUNDLED)], tmp_path, **env).returncode == 0
    out = run(["ingest", "--dry-run", str(BUNDLED)], tmp_path, **env)
    assert "articles 0 would be ingested, 1 unchanged" in out.stdout
    out = run(["ingest", "--dry-run", "--rebuild", str(BUNDLED)], tmp_path, **env)
    assert "articles 1 would be ingested, 0 unchanged" in out.stdout  # from an empty index
    assert "chunks 4 would be added, 0 would be updated, 4 would be removed" in out.stdout
    ask = run(["ask", "How many foreign-funded firms were approved?"], tmp_path, **env)
    assert ask.returncode == 0 and "13" in ask.stdout  # and the index is still there
    # a folder of a user's files is refused by a dry run as by the real one (a breaker's
    # dry run said "1 would be ingested")
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine")
    for flags in ([], ["--rebuild"]):
        out = run(
            ["ingest", "--dry-run", *flags, str(BUNDLED), "--persist-dir", str(theirs)], tmp_path
        )
        assert out.returncode == 2 and "already holds files" in out.stderr, out.stdout
    assert [p.name for p in theirs.iterdir()] == ["notes.txt"]


def test_a_run_of_copies_only_is_not_a_failure(tmp_path):
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    assert run(["ingest", str(BUNDLED)], tmp_path, **env).returncode == 0
    copies = tmp_path / "wire"
    copies.mkdir()
    original = BUNDLED / "miit-vas-pilot-foreign-firms.txt"
    (copies / "syndicated.txt").write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    out = run(["ingest", str(copies)], tmp_path, **env)
    assert out.returncode == 0, out.stderr
    assert "same text as" in out.stdout and "nothing ingestible" not in out.stderr


def test_files_of_types_not_read_are_one_line_per_type(tmp_path):
    """A tester's folder: notes.docx was neither counted nor listed."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bridge.txt").write_text("The harbour bridge reopened on Monday after a repair.\n")
    (docs / "notes.docx").write_bytes(b"PK\x03\x04")
    for i in range(5):
        (docs / f"photo{i}.png").write_bytes(b"\x89PNG")
    (docs / ".hidden.docx").write_bytes(b"PK")
    out = run(["ingest", str(docs), "--persist-dir", str(tmp_path / "i")], tmp_path)
    assert out.returncode == 0, out.stderr
    where = docs.absolute().as_posix()
    lines = [ln for ln in out.stdout.splitlines() if "of a type newsdesk does not read" in ln]
    assert lines == [
        f"  skipped 1 file of a type newsdesk does not read (.docx): {where}/notes.docx",
        f"  skipped 5 files of a type newsdesk does not read (.png): {where}/photo0.png, "
        f"{where}/photo1.png, {where}/photo2.png and 2 more",
    ]
    again = ["ingest", str(docs), "--json", "--dry-run", "--persist-dir", str(tmp_path / "i")]
    report = json.loads(run(again, tmp_path).stdout)
    assert report["unsupported"][".docx"] == [f"{where}/notes.docx"]
    assert len(report["unsupported"][".png"]) == 5 and report["files_seen"] == 1


def test_a_newline_in_a_file_name_stays_on_its_line(tmp_path):
    # `newsdesk list` printed the name raw, splitting the article over two lines (breaker)
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "two\nlines.txt").write_text(
        "Ferry fares rise\n\nPublished: 2024-04-02\n\nFerry fares on the Wend crossing rise "
        "by 4 percent from May, the operator said on Tuesday.",
        encoding="utf-8",
    )
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    out = run(["ingest", str(folder)], tmp_path, **env)
    assert out.returncode == 0, out.stderr
    lines = run(["list"], tmp_path, **env).stdout.splitlines()
    assert len(lines) == 2 and "(two\\nlines.txt)" in lines[0], lines


def test_prune_says_why_a_feed_with_a_broken_line_keeps_its_items(tmp_path):
    # --prune held back silently (breaker): the broken line may hold any of the items
    feed = tmp_path / "feed.jsonl"
    good = [
        '{"id": "a", "title": "Ferry", "text": "The Wend ferry resumes sailing on Monday."}',
        '{"id": "b", "title": "Bridge", "text": "The Ospry Bridge opens to traffic in June."}',
    ]
    feed.write_text("\n".join(good) + "\n", encoding="utf-8")
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    assert run(["ingest", str(feed)], tmp_path, **env).returncode == 0
    feed.write_text(good[0] + "\n{not json\n", encoding="utf-8")
    out = run(["ingest", str(feed), "--prune"], tmp_path, **env)
    assert "none of its items were pruned: a line of it is not valid JSON" in out.stdout
    assert "2 article(s)" in run(["list"], tmp_path, **env).stdout


def test_ask_prints_no_terminal_escape_sequences(tmp_path):
    # a breaker's: a feed title "\x1b]0;hacked\x07" retitled the terminal through `ask`
    feed = {"title": "\x1b[31mRED\x1b]0;hacked\x07", "text": "The ferry fares rise by 9 percent."}
    (tmp_path / "feed.jsonl").write_text(json.dumps(feed) + "\n")
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    assert run(["ingest", str(tmp_path / "feed.jsonl")], tmp_path, **env).returncode == 0
    for question in ["By how much do ferry fares rise?", "Who won the 2018 World Cup?"]:
        out = run(["ask", question], tmp_path, **env)
        assert out.returncode == 0, out.stderr
        assert "\x1b" not in out.stdout and "\x07" not in out.stdout
        # the title's escape sequences were dropped whole at ingest (not shown escaped)
        assert "RED" in out.stdout and "[31m" not in out.stdout and "hacked" not in out.stdout


def test_prune_keeps_articles_it_cannot_check(tmp_path):
    # a breaker's: an unreadable folder of an indexed article made --prune end in a
    # PermissionError traceback with no summary; its articles are kept and said so
    locked, other = tmp_path / "locked", tmp_path / "other"
    locked.mkdir()
    other.mkdir()
    (locked / "bridge.txt").write_text(ARTICLES["bridge.txt"])
    (other / "storm.txt").write_text(ARTICLES["storm.txt"])
    env = {"NEWSDESK_PERSIST_DIR": str(tmp_path / "idx")}
    assert run(["ingest", str(locked)], tmp_path, **env).returncode == 0
    prefix: list[str] = []
    if os.geteuid() == 0:  # root reads any folder unless its capabilities are dropped
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: a folder cannot be made unreadable")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    locked.chmod(0)
    try:
        out = subprocess.run(
            [*prefix, sys.executable, "-m", "newsdesk.cli", "ingest", str(other), "--prune"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "HF_HUB_OFFLINE": "1", **env},
        )
    finally:
        locked.chmod(0o755)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    assert "not pruned: cannot check that it exists (Permission denied)" in out.stdout
    assert "2 article(s)" in run(["list"], tmp_path, **env).stdout


def test_a_rebuild_stops_before_dropping_an_article_whose_file_is_bad_for_now(tmp_path):
    # a breaker's: `: > a.txt; ingest --rebuild` dropped a.txt's article, which a plain
    # ingest keeps ("the version indexed earlier is kept"), and --dry-run said nothing
    docs, env = _docs(tmp_path, "bridge.txt", "storm.txt")
    assert run(["ingest", str(docs)], tmp_path, **env).returncode == 0
    (docs / "storm.txt").write_text("")
    dry = run(["ingest", str(docs), "--rebuild", "--dry-run"], tmp_path, **env)
    assert "cannot be read now: --rebuild would stop here" in dry.stdout
    out = run(["ingest", str(docs), "--rebuild"], tmp_path, **env)
    assert out.returncode == 2
    assert "storm.txt: empty file (no text)" in out.stderr
    assert "the index was left as it is" in out.stderr
    assert "2 article(s)" in run(["list"], tmp_path, **env).stdout
    ask = run(["ask", "Which storm reached the coast?"], tmp_path, **env)
    assert "Olga" in ask.stdout
    # a "#" in a file's name is no feed item's id: the guard missed "strike #2.txt"
    (docs / "storm.txt").write_text(ARTICLES["storm.txt"])
    (docs / "storm.txt").rename(docs / "storm #2.txt")
    assert run(["ingest", str(docs), "--prune"], tmp_path, **env).returncode == 0
    listed = run(["list"], tmp_path, **env).stdout
    assert "(storm #2.txt)" in listed and "2 article(s)" in listed
    (docs / "storm #2.txt").write_text("")
    out = run(["ingest", str(docs), "--rebuild"], tmp_path, **env)
    assert out.returncode == 2 and "storm #2.txt: empty file (no text)" in out.stderr
    assert "2 article(s)" in run(["list"], tmp_path, **env).stdout


def test_a_report_written_to_a_symlink_or_pipe_keeps_it(tmp_path):
    """`eval --report latest.json` renamed a file over the symlink (its target never got the
    report) and over a named pipe (a breaker's): the target is written, the link kept, and
    a pipe is written in place."""
    import threading

    from newsdesk.cli import _check_writable, _write_whole

    target = tmp_path / "shared" / "report.json"
    target.parent.mkdir()
    target.write_text("{}")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    _check_writable(link)
    _write_whole(link, '{"ok": 1}')
    assert link.is_symlink() and target.read_text() == '{"ok": 1}'
    pipe = tmp_path / "pipe.xml"
    os.mkfifo(pipe)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_text()))
    reader.start()
    _write_whole(pipe, "<testsuite/>")
    reader.join(timeout=30)
    assert got == ["<testsuite/>"] and pipe.is_fifo()
    # /dev/stdout of a pipe: resolving it gave "pipe:[23835]", no path (a breaker's)
    code = (
        "from pathlib import Path; from newsdesk.cli import _check_writable, _write_whole; "
        "p = Path('/dev/stdout'); _check_writable(p); _write_whole(p, 'report')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (out.returncode, out.stdout) == (0, "report"), out.stderr
