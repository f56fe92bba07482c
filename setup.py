"""The one packaging rule pyproject.toml cannot state: the top-level ``resources/`` folder (where
the design card keeps catalogues, schemas, the API document, fonts and icons) is installed as the
package ``homeroom_resources``, so an installed wheel reads them with ``importlib.resources``.
Everything else is declared in pyproject.toml."""

from setuptools import find_namespace_packages, setup

RESOURCES = "homeroom_resources"

setup(
    packages=[
        *find_namespace_packages(include=["desktop*", "server*"]),
        RESOURCES,
        *(f"{RESOURCES}.{name}" for name in find_namespace_packages(where="resources")),
    ],
    package_dir={RESOURCES: "resources"},
)
