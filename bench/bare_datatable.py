"""The baseline of the TUI start-up figures: a bare Textual app showing a 50-row DataTable.

DESIGN.md section 7 compares ``ahr tui``'s time to first frame with this app's, run in the same
benchmark run under the same pseudo-terminal (``bench_tui.py``). Rows read ``bare-row-0001``...
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "seller", "store", "status", "left")
        for i in range(50):
            table.add_row(f"bare-row-{i:04d}", f"Seller {i}", "US", "open", f"{i}h 00m")


if __name__ == "__main__":
    Bare().run(mouse=False)
