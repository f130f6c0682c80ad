"""Benchmark 3: cold start, process start to first answer, against a bare script.

Alternating, ``--repeats`` times, each a new process (wall time from spawn to exit):

- **newsdesk ask**: ``newsdesk ask QUESTION --persist-dir INDEX`` on an index of the bundled
  article (built once before timing);
- **bare**: ``python -c`` that imports sentence-transformers, loads the same packaged
  all-MiniLM-L6-v2 from disk and embeds the question;
- **--help**: ``newsdesk --help`` (should cost about as much as starting Python), and
  ``python -c pass`` for reference.

Prints each pair, the medians and spread, and the ratio newsdesk/bare (target <= 1.5).
The operating system's file cache is warm after the first round, as on a laptop that
has run the tool before; the first round is reported but not counted.

    nice -n 19 .venv/bin/python -m bench.cold_start --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, median_spread, print_machine, venv_bin

QUESTION = "How many foreign-funded firms were approved for the pilot?"


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed: {out.stderr[-1500:]}")
    return seconds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    from vectorstore.embeddings import packaged_model_path

    model = str(packaged_model_path())
    bare = (
        "from sentence_transformers import SentenceTransformer\n"
        f"m = SentenceTransformer({model!r}, device='cpu')\n"
        f"print(m.encode({QUESTION!r}, normalize_embeddings=True)[:3])\n"
    )
    print_machine("start")
    with tempfile.TemporaryDirectory(prefix="newsdesk-cold-") as tmp:
        index = str(Path(tmp) / "index")
        subprocess.run(
            [venv_bin("newsdesk"), "ingest", "data/articles", "--persist-dir", index],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        commands = {
            "ask": [venv_bin("newsdesk"), "ask", QUESTION, "--persist-dir", index],
            "bare": [sys.executable, "-c", bare],
            "help": [venv_bin("newsdesk"), "--help"],
            "python": [sys.executable, "-c", "pass"],
        }
        times: dict[str, list[float]] = {k: [] for k in commands}
        ratios = []
        for rep in range(args.repeats + 1):
            names = list(commands) if rep % 2 == 0 else list(reversed(commands))
            got = {name: _timed(commands[name], env) for name in names}
            print(
                f"  round {rep}{' (file cache warm-up, not counted)' if rep == 0 else ''}: "
                + ", ".join(f"{n} {s:.2f} s" for n, s in got.items()),
                flush=True,
            )
            if rep == 0:
                continue
            for name, s in got.items():
                times[name].append(s)
            ratios.append(got["ask"] / got["bare"])
    print_machine("end")
    print(
        f"RESULT cold start ({args.repeats} rounds, median [min-max], seconds): newsdesk ask "
        f"{median_spread(times['ask'])}; bare sentence-transformers load + one query "
        f"{median_spread(times['bare'])}; ratio {median_spread(ratios)} (target <= 1.5: "
        f"{'met' if statistics.median(ratios) <= 1.5 else 'MISSED'}); newsdesk --help "
        f"{median_spread(times['help'])}; python -c pass {median_spread(times['python'])}",
        flush=True,
    )


if __name__ == "__main__":
    main()
