"""What an import reads: a file named on the command line, a pipe, or standard input (``-``).

The import path reads its file more than once: ``textfile.sniff`` looks at the head and the
reader goes back to the start, the progress bar asks for the size, a report is read whole. A pipe
(``<(unzip -p export.zip)``, a FIFO, ``/dev/stdin``) or standard input can be read once only, so
``read_once`` first copies it, in chunks (memory stays flat whatever its size), to a private
temporary file that it removes afterwards, and the normal path reads that copy: encodings, line
numbers and every check are the same as for a file on disk. The copy is made before the import's
transaction begins, so a slow writer (``curl ... |``) never holds the database's write lock.

Messages keep naming what the user gave (``Source.name``: ``<stdin>``, or the pipe's path such as
``/dev/fd/63``), never the copy. Used by the CLI's ``ahr import`` commands through
``service.import_unit``.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ahr_tui.errors import InvalidInput
from ahr_tui.importers.textfile import HEAD_BYTES, NotText, Origin, sniff
from ahr_tui.wording import os_problem

#: The FILE argument that means standard input, as most command-line tools read it.
STDIN = Path("-")
#: How standard input is named in messages (Python's and the compilers' own spelling).
STDIN_NAME = "<stdin>"
#: The copy's chunk: large enough for speed, small enough that memory does not grow with input.
CHUNK = 1 << 20


def is_stdin(path: Path) -> bool:
    return path == STDIN


def named_file(given: str) -> Path:
    """FILE as typed on a command line: ``-`` is standard input (``STDIN``); anything else is a
    path. ``Path("./-") == Path("-")``, so a file named ``-`` (typed ``./-``) is made absolute
    to stay a file."""
    path = Path(given)
    if given != "-" and is_stdin(path):
        return path.absolute()
    return path


def has_no_folder(path: Path) -> bool:
    """True for standard input and the pipes a shell hands over (``/dev/fd/63``,
    ``/dev/stdin``, ``/proc/self/fd/0``): there is no folder beside them to write into."""
    return is_stdin(path) or path.absolute().parts[1:2] in (("dev",), ("proc",))


@dataclass(frozen=True, slots=True)
class Source:
    """``given``: the FILE as typed (``-`` for standard input); ``path``: what to open, the file
    itself or the copy of a pipe."""

    given: Path
    path: Path

    @classmethod
    def of(cls, path: Path) -> Source:
        """A file on disk, read where it is."""
        return cls(path, path)

    @property
    def name(self) -> str:
        """How messages name it: ``<stdin>``, else the path as given."""
        return _named(self.given)

    @property
    def piped(self) -> bool:
        """It came on standard input or through a pipe (read from a copy: ``read_once``)."""
        return self.path != self.given

    def origin(self, command: str) -> Origin:
        """How it came, for the advice of a refusal; ``command``: what reads standard input
        instead (``ahr import scores -``)."""
        return Origin(self.name, self.piped, command)

    @property
    def label(self) -> str:
        """How an audit note or a progress bar names it: ``<stdin>``, a pipe's path as given
        (``/dev/fd/63``), else the file's name without its folder."""
        if has_no_folder(self.given):
            return self.name
        return self.given.name


def as_source(file: Path | Source) -> Source:
    return file if isinstance(file, Source) else Source.of(file)


@contextmanager
def read_once(given: Path, *, stdin: BinaryIO) -> Iterator[Source]:
    """The ``Source`` to import ``given`` from: a regular file as it is; standard input (``-``),
    a FIFO, a device or a socket copied to a temporary file first (removed on the way out, an
    interrupted import included). Raises ``InvalidInput`` naming ``given`` when it cannot be
    read, or naming the temporary folder when the copy cannot be written there."""
    if not is_stdin(given):
        try:
            regular = stat.S_ISREG(os.stat(given).st_mode)
        except OSError as exc:
            raise InvalidInput(os_problem("read", given, exc)) from None
        if regular:
            yield Source.of(given)
            return
    try:
        fd, copy = tempfile.mkstemp(prefix="ahr-import-", suffix=".spool")  # mode 0600: private
    except OSError as exc:
        raise InvalidInput(_no_room(given, exc)) from None
    try:
        try:
            if is_stdin(given):
                _copy(stdin, fd, given)
            else:
                try:
                    pipe = open(given, "rb")  # noqa: SIM115 - closed at once below
                except OSError as exc:
                    raise InvalidInput(os_problem("read", given, exc)) from None
                with pipe:
                    _copy(pipe, fd, given)
        finally:
            os.close(fd)
        yield Source(given, Path(copy))
    finally:
        os.unlink(copy)


def _copy(source: BinaryIO, fd: int, given: Path) -> None:
    """Copy ``source`` to the file descriptor ``fd`` a chunk at a time (unbuffered, so that a
    full disk is met here and said in one sentence, not at a later flush).

    The head the importers sniff (``textfile.HEAD_BYTES``) is copied first and looked at: input
    that ``textfile.sniff`` refuses from its head alone (NUL bytes that no UTF-16 byte order
    mark or pattern explains, a compressed file, a workbook, a code page other than UTF-8) is
    not copied further, so ``/dev/zero`` or a binary stream does not fill the temporary folder;
    the import then refuses the copy, which holds that same head, in the same words as a file."""
    head = bytearray()
    while len(head) < HEAD_BYTES:  # a raw pipe may return less than asked before its end
        chunk = _read(source, HEAD_BYTES - len(head), given)
        if not chunk:
            break
        head += chunk
    _write(fd, head, given)
    if not head or not _text_head(bytes(head)):
        return
    while chunk := _read(source, CHUNK, given):
        _write(fd, chunk, given)


def _text_head(head: bytes) -> bool:
    """Whether an input starting with ``head`` may be text the importers read."""
    try:
        sniff(head)
    except NotText:
        return False
    return True


def _read(source: BinaryIO, size: int, given: Path) -> bytes:
    try:
        return source.read(size)
    except OSError as exc:
        raise InvalidInput(f"cannot read {_named(given)}: {exc.strerror or exc}.") from None


def _write(fd: int, data: bytes | bytearray, given: Path) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise InvalidInput(_no_room(given, exc)) from None


def _no_room(given: Path, exc: OSError) -> str:
    """The sentence for a copy that cannot be written (no temporary folder, a full disk)."""
    try:
        folder = f"in {tempfile.gettempdir()}"
    except OSError:  # no usable temporary folder at all
        folder = "in the temporary folder"
    return (
        f"cannot copy {_named(given)} to a temporary file {folder}: {exc.strerror or exc}; "
        "set TMPDIR to a folder with room."
    )


def _named(given: Path) -> str:
    return STDIN_NAME if is_stdin(given) else str(given)
