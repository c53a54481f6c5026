"""Sphinx configuration of the custseg documentation."""

import os
import sys
import warnings

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.abspath(".."))

import custseg  # noqa: E402

project = "custseg"
author = "custseg developers"
copyright = "custseg developers"
release = custseg.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "gallery", "auto_examples/*.ipynb", "auto_examples/*.py"]
autosummary_generate = True
autodoc_default_options = {"members": False, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
myst_heading_anchors = 3

intersphinx_mapping = {}  # offline build: no inventories fetched

sphinx_gallery_conf = {
    "examples_dirs": "gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    "write_computation_times": False,
}

# third-party deprecations during the gallery run are not ours to fix here
warnings.filterwarnings("ignore", category=DeprecationWarning, module="pyparsing")

html_theme = "pydata_sphinx_theme"
html_title = f"custseg {release}"
html_theme_options = {"navigation_with_keys": False}
html_static_path = []
