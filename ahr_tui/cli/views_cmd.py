"""``ahr view list | delete``: your saved views (saved from the TUI with ``v``)."""

from __future__ import annotations

from typing import Annotated

import typer

from ahr_tui.cli.common import emit_json, out, state, table

view_app = typer.Typer(no_args_is_help=True, help="Your saved views (saved in the TUI with v).")


def register(app: typer.Typer) -> None:
    app.add_typer(view_app, name="view")


@view_app.command("list")
def list_views(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
) -> None:
    """Your saved views: name, list, sort and filter."""
    from ahr_tui.service.saved_views import list_views as query

    st = state(ctx)
    views = query(st.engine(), operator=st.actor().name)
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    if not views:
        out("(no saved views; save one in `ahr tui` with v)")
        return
    table(("NAME", "VIEW", "SORT", "FILTER"),
          [(v.name, v.kind.value, v.sort or "-", v.filter_text or "-") for v in views])


@view_app.command("delete")
def delete_view(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The view's name.")]
) -> None:
    """Delete one of your saved views."""
    from ahr_tui.service.saved_views import delete_view as remove
    from ahr_tui.textsafe import clean_line

    st = state(ctx)
    remove(st.engine(), name, operator=st.actor().name)
    out(f"deleted view {clean_line(name.strip())}")
