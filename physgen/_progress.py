"""One progress bar for every training loop of the package.

``progress=`` of :func:`physgen.nn.train`, :func:`physgen.vae.train_vae` and
:func:`physgen.gan.train_gan` is a label (a ``str``) or ``None`` (silent).
With a label, the loop shows one line, ``label: epoch i/n |#####     |``:

- in a notebook (an IPython kernel), as a display that is updated in place;
- in a terminal (stderr is a TTY), rewritten in place on stderr;
- nowhere else (a script whose output goes to a file, a test run).

Setting the environment variable ``PHYSGEN_PROGRESS=0`` silences every bar;
the course's Makefile does so when it builds the book and re-runs its
chapters (nbval), so the pages hold no progress output.
"""

from __future__ import annotations

import os
import sys

_WIDTH = 20


def _enabled() -> bool:
    return os.environ.get("PHYSGEN_PROGRESS", "1") != "0"


class Progress:
    """A progress line for ``total`` epochs (or steps), shown where someone watches.

    Parameters
    ----------
    label : str or None
        Shown before the count; None: silent.
    total : int
        Number of epochs (or steps).
    unit : str, default "epoch"
        What is counted.
    """

    def __init__(self, label: str | None, total: int, *, unit: str = "epoch"):
        if label is not None and not isinstance(label, str):
            raise TypeError(
                f"progress must be a label (str) or None, got {label!r}; pass e.g. "
                'progress="VAE" or progress=None.'
            )
        self.label, self.total, self.unit = label, max(int(total), 1), unit
        self._handle = None
        self._tty = False
        self._every = max(1, self.total // 50)
        if label is None or not _enabled():
            return
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with Jupyter
            get_ipython = None
        shell = get_ipython() if get_ipython is not None else None
        if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
            from IPython.display import Pretty, display

            self._handle = display(Pretty(self.text(0)), display_id=True)
        elif sys.stderr is not None and sys.stderr.isatty():
            self._tty = True
            self._write(0)

    def text(self, i: int) -> str:
        """The line shown after ``i`` of ``total``."""
        filled = round(_WIDTH * i / self.total)
        bar = "#" * filled + " " * (_WIDTH - filled)
        return f"{self.label}: {self.unit} {i}/{self.total} |{bar}|"

    def _write(self, i: int) -> None:
        end = "\n" if i >= self.total else ""
        sys.stderr.write("\r" + self.text(i) + end)
        sys.stderr.flush()

    def update(self, i: int) -> None:
        """Show that ``i`` of ``total`` are done (shown every 2 % and at the end)."""
        if self._handle is None and not self._tty:
            return
        if i % self._every and i < self.total:
            return
        if self._handle is not None:
            from IPython.display import Pretty

            self._handle.update(Pretty(self.text(i)))
        else:
            self._write(i)

    def close(self, i: int | None = None) -> None:
        """End the line (after early stopping, ``i`` is where the loop stopped)."""
        if self._tty and (i is not None and i < self.total):
            sys.stderr.write("\n")
            sys.stderr.flush()
        elif self._handle is not None and i is not None:
            from IPython.display import Pretty

            self._handle.update(Pretty(self.text(i)))
