"""``ahr_tui.watchdog``: after a terminating signal the process ends within a bound even when a
thread would hold interpreter shutdown up for good (the app's workers, the demo's copy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHILD = """
import sys, threading
from pathlib import Path
from ahr_tui.watchdog import exit_within, on_forced_exit

marker = Path(sys.argv[1])
def spin():  # a worker that never finishes: shutdown waits for it
    while True:
        threading.Event().wait(0.01)
worker = threading.Thread(target=spin)
worker.start()
with on_forced_exit(lambda: marker.write_text("cleaned")):
    exit_within(143, 0.3)
    exit_within(1, 0.0)  # armed once: a second signal changes nothing
    worker.join()  # an orderly exit waiting for the worker, inside the block
raise SystemExit(143)
"""


def test_a_process_held_up_by_a_thread_ends_with_its_code_after_its_clean_ups(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "marker"
    done = subprocess.run([sys.executable, "-c", CHILD, str(marker)], timeout=60,
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (143, "")
    assert marker.read_text() == "cleaned"


def test_a_process_that_ends_in_order_is_not_touched(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    child = CHILD.replace("worker.start()", "").replace("worker.join()", "pass").replace(
        "0.3", "30")
    done = subprocess.run([sys.executable, "-c", child, str(marker)], timeout=20,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 143
    assert not marker.exists()  # the orderly exit came first: no forced clean-up ran
