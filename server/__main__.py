"""``python -m server``: the same as ``homeroom-server``."""

import sys

from server.cli import main

sys.exit(main())
