"""The ``ahr`` command line (Typer): parses arguments, calls ``service``, prints results."""
