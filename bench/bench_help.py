"""Time ``ahr --help`` against ``python -c "import typer"`` (DESIGN.md section 7: <= 2x).

Both run as fresh processes of the same interpreter, interleaved so that a busy machine slows
both alike; the figure is the median of N runs each. Then one ``-X importtime`` run lists what
``ahr --help`` imports, to show that textual, sqlalchemy and sqlmodel are not among them.
Exits 1 when the target is missed or a heavy module is imported.

    .venv/bin/python bench/bench_help.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_RATIO = 2.0
HEAVY = ("textual", "sqlalchemy", "sqlmodel", "psycopg", "rich.console")


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def imported_modules(command: list[str]) -> dict[str, int]:
    """Top-level package -> cumulative import microseconds, from ``-X importtime``."""
    result = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True,
        check=True, stdin=subprocess.DEVNULL,
    )
    packages: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split("|", 2))
        if not cumulative.isdigit():
            continue
        top = name.strip().split(".")[0]
        packages[top] = max(packages.get(top, 0), int(cumulative))
        packages[name.strip()] = int(cumulative)
    return packages


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    python = sys.executable
    ahr = Path(python).with_name("ahr")
    help_cmd = [python, str(ahr), "--help"]
    typer_cmd = [python, "-c", "import typer"]
    load = os.getloadavg()[0]
    for command in (help_cmd, typer_cmd):  # warm the page cache and .pyc files
        wall(command)
    helps: list[float] = []
    typers: list[float] = []
    for _ in range(args.runs):
        helps.append(wall(help_cmd))
        typers.append(wall(typer_cmd))
    help_s, typer_s = statistics.median(helps), statistics.median(typers)
    ratio = help_s / typer_s

    modules = imported_modules(help_cmd)
    heavy = sorted(m for m in HEAVY if m in modules)
    print(f"load average before the run: {load:.2f}; {args.runs} runs each, "
          "interleaved; medians")
    print(f"  python -c 'import typer'  {typer_s * 1000:7.0f} ms  (min {min(typers) * 1000:.0f})")
    print(f"  ahr --help                {help_s * 1000:7.0f} ms  (min {min(helps) * 1000:.0f})")
    verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
    print(f"  ratio                     {ratio:7.2f} x   "
          f"(target <= {TARGET_RATIO:.1f} x: {verdict})")
    biggest = sorted(
        ((us, name) for name, us in modules.items() if "." not in name), reverse=True
    )[:6]
    print("  heaviest imports of ahr --help: "
          + ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in biggest))
    for name in HEAVY:
        print(f"  imports {name:<13} {'YES' if name in modules else 'no'}")
    if heavy:
        print(f"ahr --help imports {', '.join(heavy)}: it must not")
    return 0 if ratio <= TARGET_RATIO and not heavy else 1


if __name__ == "__main__":
    sys.exit(main())
