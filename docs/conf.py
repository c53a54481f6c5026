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

# Links to the Python, numpy, pandas, scikit-learn and polars docs. The build
# machines have no internet, and a failed inventory fetch is an untyped warning
# that -W turns into an error, so inventories are optional: a project is linked
# when its objects.inv is saved in docs/_intersphinx/ (<name>.inv), and fetched
# from its site only when CUSTSEG_DOCS_ONLINE=1. Without either, names such as
# pandas.DataFrame render as plain code; nitpicky stays off, so that is no warning.
INTERSPHINX_SITES = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "pandas": "https://pandas.pydata.org/docs",
    "sklearn": "https://scikit-learn.org/stable",
    "polars": "https://docs.pola.rs/api/python/stable",
}


def _intersphinx_mapping(online, inventory_dir):
    mapping = {}
    for name, site in INTERSPHINX_SITES.items():
        local = os.path.join(inventory_dir, f"{name}.inv")
        locations = ([local] if os.path.exists(local) else []) + (
            [None] if online else []
        )
        if locations:
            mapping[name] = (site, tuple(locations))
    return mapping


intersphinx_mapping = _intersphinx_mapping(
    os.environ.get("CUSTSEG_DOCS_ONLINE") == "1",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "_intersphinx"),
)

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
