"""Sphinx configuration of the custseg documentation."""

import os
import sys
import tempfile
import warnings
import zlib

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

# Links to the Python, numpy, pandas, scikit-learn, polars and matplotlib docs.
# The build machines have no internet, and a failed inventory fetch is an
# untyped warning that -W turns into an error.  So each project's links come,
# in this order, from its full objects.inv saved as docs/_intersphinx/<name>.inv,
# from its site when CUSTSEG_DOCS_ONLINE=1, or from the minimal inventory
# docs/_intersphinx/<name>.txt: the names these docs reference, each with the
# address the project's own inventory gives it (tests/project/test_docs.py
# checks them against the live inventories when online).
INTERSPHINX_SITES = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "pandas": "https://pandas.pydata.org/docs",
    "sklearn": "https://scikit-learn.org/stable",
    "polars": "https://docs.pola.rs/api/python/stable",
    "matplotlib": "https://matplotlib.org/stable",
}
INVENTORY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_intersphinx")


def write_inventory(source, target, project):
    """Compress a plain-text inventory into an objects.inv (version 2) file.

    Each line of ``source`` is ``name domain:role priority uri display``, as
    in the decompressed objects.inv; ``$`` in the uri stands for the name and
    ``-`` as display for the name itself.  Lines starting with ``#`` are
    comments.
    """
    with open(source, encoding="utf-8") as handle:
        rows = [ln.split() for ln in handle.read().splitlines() if ln and ln[0] != "#"]
    lines = [
        f"{n} {role} {prio} {uri.replace('$', n)} {disp}"
        for n, role, prio, uri, disp in rows
    ]
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n# Version: \n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = zlib.compress(("\n".join(lines) + "\n").encode("utf-8"))
    with open(target, "wb") as handle:
        handle.write(header.encode("utf-8") + body)


def _intersphinx_mapping(online, inventory_dir, build_dir):
    mapping = {}
    for name, site in INTERSPHINX_SITES.items():
        saved = os.path.join(inventory_dir, f"{name}.inv")
        minimal = os.path.join(inventory_dir, f"{name}.txt")
        locations = [saved] if os.path.exists(saved) else []
        if online:
            locations.append(None)
        if os.path.exists(minimal):
            built = os.path.join(build_dir, f"{name}.inv")
            write_inventory(minimal, built, name)
            locations.append(built)
        if locations:
            mapping[name] = (site, tuple(locations))
    return mapping


intersphinx_mapping = _intersphinx_mapping(
    os.environ.get("CUSTSEG_DOCS_ONLINE") == "1",
    INVENTORY_DIR,
    tempfile.mkdtemp(prefix="custseg-intersphinx-"),
)


def _array_like_by_name(app, what, name, obj, options, signature, return_annotation):
    """Show numpy's ``ArrayLike`` in signatures by its name, linked.

    It is a long Union of numpy's private protocols, which autodoc would
    print in full; ``autodoc_type_aliases`` cannot name it either, as Sphinx
    then prints ``TypeAliasForwardRef`` inside ``ArrayLike | None``.
    """
    from numpy.typing import ArrayLike
    from sphinx.util.typing import stringify_annotation

    for mode in ("smart", "fully-qualified-except-typing"):
        expanded = stringify_annotation(ArrayLike, mode)
        if signature:
            signature = signature.replace(expanded, "~numpy.typing.ArrayLike")
        if return_annotation:
            return_annotation = return_annotation.replace(
                expanded, "~numpy.typing.ArrayLike"
            )
    return signature, return_annotation


def _type_alias_as_object(app, env, node, contnode):
    """Resolve a type in a signature that its project lists as data.

    Signatures refer to every type as a class, but inventories list type
    aliases such as ``numpy.typing.ArrayLike`` as ``py:data``; Sphinx looks
    names of ``typing`` up as any object, and this does the same for the rest.
    """
    from sphinx.ext.intersphinx import missing_reference

    if node.get("refdomain") != "py" or node.get("reftype") != "class":
        return None
    as_object = node.deepcopy()
    as_object["reftype"] = "obj"
    return missing_reference(app, env, as_object, contnode)


def setup(app):
    app.connect("autodoc-process-signature", _array_like_by_name)
    app.connect("missing-reference", _type_alias_as_object)


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
