"""``python -m nn``: the same as the ``autograd-lite`` command."""

import sys

from .cli import main

sys.exit(main())
