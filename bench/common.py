"""Shared helpers of the benchmark scripts: machine facts, summary statistics, timing.

Not here: any benchmark logic; each ``bench/*.py`` script is self-contained apart from these.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict[str, object]:
    """nproc, CPU model, RAM (GiB), load averages and Python/torch versions, for the report."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": ram,
        "load_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def print_machine(label: str = "machine") -> None:
    m = machine()
    print(
        f"{label}: nproc={m['nproc']} cpu={m['cpu']!r} ram={m['ram_gib']} GiB "
        f"load(1/5/15)={m['load_1_5_15']} python={m['python']}",
        flush=True,
    )


def median_spread(values: Sequence[float]) -> str:
    """``median [min-max]`` with 3 significant figures, for printing repeated measurements."""
    if not values:
        return "n/a"
    return f"{statistics.median(values):.3g} [{min(values):.3g}-{max(values):.3g}]"


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks
    (numpy's default method)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def venv_bin(name: str) -> str:
    """Path of an executable in this clone's ``.venv`` (the one running this script)."""
    import sys

    return str(Path(sys.executable).parent / name)


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
