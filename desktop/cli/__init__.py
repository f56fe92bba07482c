"""The ``homeroom`` command line: Vietnamese by default, ``HOMEROOM_LANG=en`` for English."""
