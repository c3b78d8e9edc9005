"""``python -m nn``: the same as the ``autograd-lite`` command."""

import sys


def run() -> int:
    """The ``autograd-lite`` command's entry point: a Ctrl-C while the command is still being
    imported ends it with status 130 and one line, not a traceback."""
    try:
        from .cli import console
    except KeyboardInterrupt:
        print("autograd-lite: interrupted while starting; nothing was done", file=sys.stderr)
        return 130
    return console()


if __name__ == "__main__":
    sys.exit(run())
