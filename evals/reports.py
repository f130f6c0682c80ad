"""Report formats besides JSON: JUnit XML for CI test views, Markdown for a PR comment."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET


def to_junit(report: dict[str, Any], suite: str) -> str:
    """JUnit XML with one test case per gold question; a wrong answer is a failure whose
    message gives the answer given (first 300 characters)."""
    rows = report["questions"]
    failures = sum(not r["correct"] for r in rows)
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(rows)),
        failures=str(failures),
        time=f"{sum(r['latency_ms'] for r in rows) / 1000:.3f}",
    )
    for r in rows:
        case = ET.SubElement(
            root, "testcase", classname=suite, name=r["id"], time=f"{r['latency_ms'] / 1000:.3f}"
        )
        if not r["correct"]:
            expected = "an abstention" if not r["answerable"] else "an accepted answer"
            failure = ET.SubElement(case, "failure", message=f"expected {expected}")
            failure.text = f"Q: {r['question']}\nA: {r['answer'][:300]}"
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def to_markdown(report: dict[str, Any], suite: str, failures: list[str]) -> str:
    """A Markdown summary: verdict, metrics table, per-type accuracy, wrong answers."""
    m = report["metrics"]
    lines = [
        f"### newsdesk eval: {suite}",
        "",
        ("**FAIL**: " + "; ".join(failures)) if failures else "**PASS**: every threshold holds",
        "",
        "| metric | value |",
        "|---|---|",
    ]
    for name, value in m.items():
        if name != "by_type":
            lines.append(f"| {name} | {'n/a' if value is None else value} |")
    if m.get("by_type"):
        lines += ["", "| type | questions | accuracy |", "|---|---|---|"]
        lines += [f"| {t} | {v['questions']} | {v['accuracy']} |" for t, v in m["by_type"].items()]
    wrong = [r for r in report["questions"] if not r["correct"]]
    if wrong:
        lines += ["", f"<details><summary>{len(wrong)} wrong</summary>", ""]
        lines += [f"- `{r['id']}` {r['question']} → {r['answer'][:160]!r}" for r in wrong]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
