"""``python -m ahr_tui``: the same command line as ``ahr``."""

from ahr_tui.cli.entry import main

if __name__ == "__main__":
    main()
