"""Progress goes to stderr only on a terminal and only once the read takes over a second."""

from __future__ import annotations

import io

from netsync.progress import Progress


class Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_on_a_terminal_after_the_delay():
    stream = Terminal(tty=True)
    with Progress("Reading live state", delay=0, stream=stream) as progress:
        progress(3, 10)
    assert "\rReading live state: 3/10 resources" in stream.getvalue()
    assert stream.getvalue().endswith("\r\033[K")  # the line is cleared afterwards


def test_no_progress_when_piped_or_fast():
    piped = Terminal(tty=False)
    with Progress("x", delay=0, stream=piped) as progress:
        progress(1, 2)
    fast = Terminal(tty=True)
    with Progress("x", delay=60, stream=fast) as progress:
        progress(1, 2)
    assert piped.getvalue() == "" and fast.getvalue() == ""
