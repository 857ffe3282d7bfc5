"""The Accounts view at scale (issue 17), in a pseudo-terminal: what an operator over SSH waits for.

    .venv/bin/python bench/bench_accounts.py --db bench/out/acc1m.db [--needles trad 7QE 深圳]

The database is brought to the current schema first (``ahr init``: on an older file that builds
the filter index; timed). The app runs in a child on a 120x40 pty (``pty_harness``), started as
``ahr tui`` starts it on an SQLite file, with its clock fixed at the database's reference instant
(the sample's scores end the day before, so the window is full); ``tab`` is pressed once the
header shows its uncovered count (the database is open). The harness measures, from the moment
each key is written (the screen is printed when an awaited row is not seen):

(a) ``tab`` until the first account row (the smallest seller id) is on screen; target <= 1 s;
(b) in this process, not the pty: reading the whole order (every id by seller) as the view's
    worker does after (a), and its memory: no target;
(c) each filter keystroke until the first matching row of the list typed so far is on screen
    (the expected row is found with sqlite3 here, independently of the app; a keystroke that
    leaves the first row as it was is typed but not timed); target <= 100 ms, as the median
    and the max over the timed keystrokes of every needle; then, from a needle's last key,
    until its match count (found with sqlite3 here) is shown: no target;
(d) ``s`` to the next order (AHR, lowest first) until it is read ("sorting…" gone), then
    ``home`` until its first row shows (the cursor stays on its account through a sort): no
    target;
(e) the child's peak RSS over the whole run; target <= 500 MB.

Speed figures are wall-clock on a shared 2-core box: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pty_harness import PtyProgram

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
AHR = [str(ROOT / ".venv" / "bin" / "ahr")]
MB = 1024 * 1024
DEFAULT_NEEDLES = ("trad", "7qe", "star d", "zz")


def child(db: str) -> None:
    """The app on ``db`` with its clock fixed at the database's reference instant, started as
    ``ahr tui`` starts it on an SQLite file: the first snapshot read with the standard library,
    the engine opened by the app's warm-up worker. With ``AHR_BENCH_TRACE`` set to a file, the
    child writes there when each step of a keystroke happens (``trace``)."""
    from ahr_tui.service.database import open_database
    from ahr_tui.service.identity import Actor, os_user_name
    from ahr_tui.service.snapshots import FIRST_CASES, quick_snapshot
    from ahr_tui.tui.app import run

    if os.environ.get("AHR_BENCH_TRACE"):
        trace(Path(os.environ["AHR_BENCH_TRACE"]))
    instant = reference_instant(Path(db))
    actor = Actor(os_user_name())
    run(engine=lambda: open_database(db), clock=lambda: instant, actor=actor, db_label=db,
        first=quick_snapshot(Path(db), actor.name, FIRST_CASES))


def trace(path: Path) -> None:
    """Wrap the steps of a keystroke to write ``perf_counter`` (the parent's clock too, on
    Linux), thread, step, duration (ms; bytes for a write) and the thread's CPU time in it to
    ``path``: the key reaching the view, the worker's reads, the hand-over on the UI thread,
    each screen update and each write to the terminal."""
    import threading

    from textual.drivers.linux_driver import LinuxDriver
    from textual.screen import Screen

    from ahr_tui.service import account_list
    from ahr_tui.tui.screens.accounts import AccountsView

    out = path.open("w", buffering=1)

    def wrap(owner: object, name: str, size: bool = False) -> None:
        inner = getattr(owner, name)

        def timed(*args: object, **kwargs: object) -> object:
            start, cpu = time.perf_counter(), time.thread_time()
            result = inner(*args, **kwargs)
            extra = f" {len(args[-1])}" if size else ""  # type: ignore[arg-type]
            out.write(f"{start:.4f} {threading.current_thread().name[:12]} {name} "
                      f"{(time.perf_counter() - start) * 1000:.1f}{extra} "
                      f"cpu {(time.thread_time() - cpu) * 1000:.1f}\n")
            return result

        setattr(owner, name, timed)

    for owner, name in ((AccountsView, "apply_filter"), (AccountsView, "_show"),
                        (AccountsView, "_set_ids"), (AccountsView, "_update_status"),
                        (account_list, "page"), (account_list, "filtered"),
                        (Screen, "_on_timer_update"), (Screen, "_refresh_layout")):
        wrap(owner, name)
    wrap(LinuxDriver, "write", size=True)


def reference_instant(db: Path) -> datetime:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        (value,) = con.execute(
            "SELECT value FROM meta WHERE key = 'reference_instant'").fetchone()
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


#: The filter's test, done apart from the app: each field lower-cased by Python (every letter,
#: as the view folds it) contains the lower-cased needle.
MATCHES = ("FROM account WHERE instr(py_lower(seller_id), ?1) OR instr(py_lower(name), ?1) "
           "OR instr(py_lower(store), ?1)")


def _reader(db: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.create_function("py_lower", 1, str.lower, deterministic=True)
    return con


def first_match(db: Path, needle: str, order: str = "seller_id, store") -> str | None:
    """The seller id of the first account whose seller id, name or store contains ``needle``
    (case-insensitive, every letter), in ``order``; None when none does."""
    with _reader(db) as con:
        row = con.execute(f"SELECT seller_id {MATCHES} ORDER BY {order} LIMIT 1",
                          (needle.lower(),)).fetchone()
    return None if row is None else str(row[0])


def match_count(db: Path, needle: str) -> int:
    """How many accounts ``first_match``'s test matches."""
    with _reader(db) as con:
        (count,) = con.execute(f"SELECT count(*) {MATCHES}", (needle.lower(),)).fetchone()
    return int(count)


def lowest_ahr_seller(db: Path) -> str:
    """The first row of the AHR order: an account without a score in the window, else the
    lowest newest score (the bench's window ends the day before the reference instant). The
    days are named (scores are keyed day first: a range of days would be scanned for each
    account, hours at a million)."""
    last = reference_instant(db).date().toordinal() - 1
    days = ", ".join(f"'{datetime.fromordinal(day).date().isoformat()}'"
                     for day in range(last - 179, last + 1))
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        (seller,) = con.execute(
            "SELECT a.seller_id FROM account a ORDER BY coalesce((SELECT s.score FROM score s "
            f"WHERE s.day IN ({days}) AND s.account_id = a.id ORDER BY s.day DESC LIMIT 1), "
            "-1), a.seller_id, a.store LIMIT 1").fetchone()
    return str(seller)


class Terminal:
    """What the terminal shows, fed the program's output chunk by chunk (pyte): the bytes of a
    row are not always contiguous (Textual writes the changed cells of a line), so the screen is
    what is checked, not the byte stream."""

    def __init__(self, prog: PtyProgram) -> None:
        import pyte

        self.prog = prog
        self.screen = pyte.Screen(prog.cols, prog.rows)
        self.stream = pyte.ByteStream(self.screen)
        self.fed = 0

    def first_row(self) -> str:
        """The first data line of the Accounts table (the line under its header)."""
        lines = self.screen.display
        for y, line in enumerate(lines[:-1]):
            if line.startswith("SELLER "):
                return lines[y + 1]
        return ""

    def status_line(self) -> str:
        """The Accounts view's status line (count, window, match count or progress)."""
        return next((line for line in self.screen.display if " · AHR window " in line), "")

    def after_key(self, key: bytes, seen: Callable[[Terminal], bool],
                  timeout: float = 120.0) -> float | None:
        """Write ``key``; seconds until the screen, as the output after it leaves it,
        satisfies ``seen`` (timed at the chunk that did it)."""
        self.catch_up()
        sent = time.perf_counter()
        os.write(self.prog.fd, key)
        return self.until(sent, seen, timeout)

    def until(self, sent: float, seen: Callable[[Terminal], bool],
              timeout: float = 120.0) -> float | None:
        """Seconds from ``sent`` until the screen satisfies ``seen`` (at the chunk that did
        it; the chunks not yet fed included); 0 when it already did."""
        if seen(self):
            return 0.0
        while time.perf_counter() - sent < timeout:
            for at in self.catch_up():
                if seen(self):
                    return at - sent
            time.sleep(0.002)
        self.show_screen()
        return None

    def show_screen(self) -> None:
        """What the terminal shows (to stdout): said when an awaited row is not seen."""
        print("    the screen when it was not seen:", flush=True)
        for line in self.screen.display:
            print("    | " + line.rstrip(), flush=True)

    def catch_up(self) -> list[float]:
        """Feed the chunks written since the last call; the time of each, in order."""
        with self.prog._lock:
            fresh = self.prog.chunks[self.fed:]
        times = []
        for chunk in fresh:
            self.stream.feed(chunk.data)
            self.fed += 1
            times.append(chunk.at)
        return times


def ensure_schema(db: Path) -> None:
    start = time.perf_counter()
    result = subprocess.run([*AHR, "--db", str(db), "init"], capture_output=True, text=True)
    took = time.perf_counter() - start
    if result.returncode:
        raise SystemExit(result.stderr)
    print(f"ahr init (schema upgrade; on an older file builds the filter index): {took:.1f} s",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=ROOT / "bench/out/large.db")
    parser.add_argument("--needles", nargs="*", default=list(DEFAULT_NEEDLES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    db: Path = args.db
    print(f"load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs; {db}", flush=True)
    ensure_schema(db)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        (accounts,) = con.execute("SELECT count(*) FROM account").fetchone()
    print(f"{accounts:,} accounts", flush=True)
    whole_order(db)
    # every expected first row is found before the app starts: the 1M-row LIKE scans would
    # otherwise compete with the app for the two cores while it is being timed
    expected = {needle[:n]: first_match(db, needle[:n]) for needle in args.needles
                for n in range(len(needle) + 1)}
    expected["AHR order"] = lowest_ahr_seller(db)
    counts = {needle: match_count(db, needle) for needle in args.needles}
    prog = PtyProgram([PYTHON, __file__, "--child", str(db)]).start()
    try:
        measure(prog, expected, counts, args.needles)
    finally:
        prog.stop()
    print(f"(e) peak RSS of the app over the run: {prog.peak_rss / MB:.0f} MB "
          f"(target <= 500 MB); load average {os.getloadavg()[0]:.2f}", flush=True)


def measure(
    prog: PtyProgram, expected: dict[str, str | None], counts: dict[str, int],
    needles: list[str],
) -> None:
    if prog.wait_for(lambda out: b"[Cases]" in out, 60) is None:
        raise SystemExit("the app never drew its first frame")
    # the header's count of uncovered moments shows once the engine is open (a tab before
    # that only says "the database is still opening")
    if prog.wait_for(lambda out: b" uncov" in out, 120) is None:
        raise SystemExit("the app never opened its database")
    prog.quiet_for(1.0, 30)
    term = Terminal(prog)
    first = expected[""] or ""
    took = term.after_key(b"\t", lambda t: t.first_row().startswith(first))
    print(f"(a) tab until the first account row ({first}) shows: {fmt(took)} "
          f"(target <= 1 s); RSS so far {prog.peak_rss / MB:.0f} MB", flush=True)
    # the keystrokes are timed on a settled screen: the whole order read ("reading…" gone)
    term.until(time.perf_counter(), lambda t: "reading" not in t.status_line())
    prog.quiet_for(1.0, 60)
    latencies = filter_keys(prog, term, expected, counts, needles)
    if latencies:
        print(f"(c) filter keystrokes: {len(latencies)}, median "
              f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
              "(target <= 100 ms each)", flush=True)
    lowest = expected["AHR order"] or ""
    # the cursor stays on its account through a sort: the order is read when "sorting…" goes,
    # then home shows its first row
    took = term.after_key(b"s", lambda t: "sort ahr" in "".join(t.screen.display[:3])
                          and "sorting" not in t.status_line())
    print(f"(d) s (sort by AHR) until the order is read: {fmt(took)} (no target)", flush=True)
    took = term.after_key(b"\x1b[H", lambda t: t.first_row().startswith(lowest))
    print(f"    then home until its first row ({lowest}) shows: {fmt(took)}", flush=True)


def whole_order(db: Path) -> None:
    import tracemalloc

    from ahr_tui.service.account_list import AccountSort, ordered
    from ahr_tui.service.database import open_database

    engine = open_database(str(db))
    as_of = reference_instant(db).date().fromordinal(reference_instant(db).date().toordinal() - 1)
    tracemalloc.start()
    start = time.perf_counter()
    ids = ordered(engine, as_of, AccountSort.SELLER)
    took = time.perf_counter() - start
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    engine.dispose()
    print(f"(b) every id in seller order ({len(ids or ()):,}): {took:.2f} s, Python memory peak "
          f"{peak / MB:.0f} MB (no target)", flush=True)


def filter_keys(
    prog: PtyProgram, term: Terminal, expected_rows: dict[str, str | None],
    counts: dict[str, int], needles: list[str],
) -> list[float]:
    """Type each needle a character at a time after ``/``; esc clears it before the next. A
    keystroke that leaves the first row as it was is not timed (nothing tells its redraw).
    After a needle's last key: the time until its match count is shown."""
    latencies: list[float] = []
    for needle in needles:
        # the field opens (the screen laid out again) before the first key is typed
        term.after_key(b"/", lambda t: any("filter: seller id" in line
                                           for line in t.screen.display))
        prog.quiet_for(0.5, 30)
        last = type_needle(prog, term, expected_rows, needle, latencies)
        count = counts[needle]
        took = term.until(last, lambda t, c=count: f"{c:,} match" in t.status_line())
        print(f"    {needle!r}: its count ({count:,} match) shown {fmt(took)} after its last key "
              "(no target)", flush=True)
        term.after_key(b"\x1b", lambda t: "match" not in t.status_line())  # the filter cleared
        prog.quiet_for(1.0, 60)
    return latencies


def type_needle(
    prog: PtyProgram, term: Terminal, expected_rows: dict[str, str | None], needle: str,
    latencies: list[float],
) -> float:
    """Type ``needle`` a key at a time (timed keys' latencies appended); when the last key
    was written."""
    typed, before, sent = "", expected_rows[""], time.perf_counter()
    for char in needle:
        typed += char
        expected = expected_rows[typed]
        marker = expected or "no account matches"
        term.catch_up()
        sent = time.perf_counter()
        if expected == before:
            os.write(prog.fd, char.encode())
            print(f"    {typed!r}: first row {expected} unchanged: not timed", flush=True)
        else:
            took = term.after_key(char.encode(), lambda t, m=marker: m in t.first_row())
            print(f"    {typed!r}: first row {expected} in {fmt(took)}", flush=True)
            if took is not None:
                latencies.append(took)
        before = expected
        prog.quiet_for(0.3, 60)
    return sent


def fmt(seconds: float | None) -> str:
    return "not seen" if seconds is None else f"{seconds:.3f} s"


if __name__ == "__main__":
    main()
