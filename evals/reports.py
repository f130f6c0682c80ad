"""Report formats besides JSON: JUnit XML for CI test views, Markdown for a PR comment."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET

#: Characters XML 1.0 cannot hold at all (control characters but tab and line breaks).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    """``text`` with what XML cannot hold shown as ``\\xNN`` (a gold id or question may
    carry control characters; ElementTree would write a file no parser reads)."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _cell(value: Any) -> str:
    """A Markdown table cell: pipes escaped, line breaks as spaces."""
    return " ".join(str(value).split()).replace("|", "\\|")


def to_junit(report: dict[str, Any], suite: str) -> str:
    """JUnit XML with one test case per gold question; a wrong answer is a failure whose
    message gives the answer given (first 300 characters)."""
    rows = report["questions"]
    failures = sum(not r["correct"] for r in rows)
    ms = report.get("timings", {}).get("per_question_ms", {})  # absent: times are 0
    root = ET.Element(
        "testsuite",
        name=_xml(suite),
        tests=str(len(rows)),
        failures=str(failures),
        time=f"{sum(ms.get(r['id'], 0.0) for r in rows) / 1000:.3f}",
    )
    for r in rows:
        case = ET.SubElement(
            root,
            "testcase",
            classname=_xml(suite),
            name=_xml(r["id"]),
            time=f"{ms.get(r['id'], 0.0) / 1000:.3f}",
        )
        if not r["correct"]:
            expected = "an abstention" if not r["answerable"] else "an accepted answer"
            failure = ET.SubElement(case, "failure", message=f"expected {expected}")
            failure.text = _xml(f"Q: {r['question']}\nA: {r['answer'][:300]}")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def to_markdown(report: dict[str, Any], suite: str, failures: list[str]) -> str:
    """A Markdown summary: verdict, metrics table (with 95% intervals, the majority-answer
    baseline and, over several runs, the spread), per-type accuracy, timings, wrong answers."""
    m = report["metrics"]
    intervals = report.get("intervals", {})
    runs = report.get("runs", {})
    lines = [
        f"### newsdesk eval: {suite}",
        "",
        ("**FAIL**: " + "; ".join(failures)) if failures else "**PASS**: every threshold holds",
        "",
        "| metric | value | 95% interval |",
        "|---|---|---|",
    ]
    for name, value in m.items():
        if name in ("by_type", "majority_baseline"):
            continue
        shown = "n/a" if value is None else str(value)
        if isinstance(runs.get(name), dict) and runs[name]["std"] is not None:
            shown += f" ± {runs[name]['std']} (sd over {runs['n']} runs)"
        ci = intervals.get(name)
        lines.append(f"| {name} | {shown} | {f'{ci[0]}–{ci[1]}' if ci else ''} |")
    if m.get("majority_baseline"):
        b = m["majority_baseline"]
        lines += [
            "",
            f"Majority-answer baseline: answer_accuracy {b['answer_accuracy']} "
            f"(always {b['answer']!r}), overall_accuracy {b['overall_accuracy']} "
            f"(always {b['output']!r}).",
        ]
    if m.get("by_type"):
        lines += ["", "| type | questions | accuracy |", "|---|---|---|"]
        lines += [
            f"| {_cell(t)} | {v['questions']} | {v['accuracy']} |" for t, v in m["by_type"].items()
        ]
    if report.get("timings"):
        lines += ["", "| timing | ms |", "|---|---|"]
        lines += [f"| {n} | {v} |" for n, v in report["timings"].items() if n != "per_question_ms"]
    wrong = [r for r in report["questions"] if not r["correct"]]
    if wrong:
        lines += ["", f"<details><summary>{len(wrong)} wrong</summary>", ""]
        lines += [
            f"- `{_cell(r['id'])}` {_cell(r['question'])} → {r['answer'][:160]!r}" for r in wrong
        ]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
