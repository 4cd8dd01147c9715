"""Packaging.

The code lives in ``outreach/``; ``templates/``, ``static/``, ``migrations/`` and ``alembic.ini`` stay
at the top of the checkout, where a developer expects them. A wheel carries them inside the package
(``outreach/templates``, ``outreach/static``, ``outreach/migrations``, ``outreach/alembic.ini``), where
``outreach.config`` looks for them once installed. ``MANIFEST.in`` puts the same files in the sdist.
"""
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

#: Top-level folders shipped inside the package, by the name they take there.
RESOURCE_DIRS = {"outreach.templates": "templates", "outreach.static": "static",
                 "outreach.migrations": "migrations"}
#: Top-level files shipped inside the package.
RESOURCE_FILES = ("alembic.ini",)


class BuildWithResources(build_py):
    """Copy the top-level resource files into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads them from the checkout
            return
        self.mkpath(str(Path(self.build_lib) / "outreach"))
        for name in RESOURCE_FILES:
            self.copy_file(name, str(Path(self.build_lib) / "outreach" / name))


setup(
    packages=find_packages(include=["outreach", "outreach.*"]) + list(RESOURCE_DIRS),
    package_dir=RESOURCE_DIRS,
    package_data={name: ["**/*"] for name in RESOURCE_DIRS},
    exclude_package_data={name: ["**/__pycache__/*", "**/*.pyc"] for name in RESOURCE_DIRS},
    cmdclass={"build_py": BuildWithResources},
)
