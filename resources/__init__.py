"""Installed as the package ``homeroom_resources``: the data files Homeroom reads at run time
(``desktop.resources`` finds them with ``importlib.resources``)."""
