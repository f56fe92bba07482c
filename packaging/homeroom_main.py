"""The frozen app's entry point: the same ``homeroom`` command the wheel installs."""

import sys

from desktop.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
