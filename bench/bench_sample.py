"""Time ``ahr sample --accounts 50000 --days 200 --open-cases 5000`` (DESIGN.md section 7: <= 60 s).

Runs the real command in a subprocess into a temporary directory, prints the wall time and the
target, the CPU time it used and the machine's load average before the run (the machine is
shared: on a busy machine the wall time exceeds the CPU time), and exits 1 when the target is
missed.

    .venv/bin/python bench/bench_sample.py [--accounts N] [--days D] [--open-cases N]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=200)
    parser.add_argument("--open-cases", type=int, default=5_000)
    args = parser.parse_args()
    ahr = Path(sys.executable).with_name("ahr")
    with tempfile.TemporaryDirectory(prefix="ahr-bench-sample-") as folder:
        out = Path(folder) / "big.db"
        command = [str(ahr), "sample", "--out", str(out), "--accounts", str(args.accounts),
                   "--days", str(args.days), "--open-cases", str(args.open_cases)]
        load = os.getloadavg()[0]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime
        size_mb = out.stat().st_size / 1e6 if out.exists() else 0.0
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        return 2
    print(result.stdout.strip())
    print(f"ahr sample {args.accounts} accounts x {args.days} days, {args.open_cases} open cases: "
          f"{seconds:.1f} s (target <= {TARGET_S:.0f} s); CPU {cpu:.1f} s, "
          f"{size_mb:.0f} MB, load average before the run {load:.2f} on {os.cpu_count()} cores")
    return 0 if seconds <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
