"""The documentation builds with warnings as errors, gallery examples included."""

import importlib.util
import io
import os
import posixpath
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
# pages and the external addresses their cross-references must link to
EXTERNAL_LINKS = {
    "generated/custseg.compare_segmentations.html": [
        "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.html"
        "#pandas.DataFrame",
        "https://numpy.org/doc/stable/reference/random/legacy.html"
        "#numpy.random.RandomState",
        "https://docs.python.org/3/library/collections.abc.html"
        "#collections.abc.Sequence",
    ],
    "generated/custseg.CustomerSegmenter.html": [
        "https://scikit-learn.org/stable/modules/generated/"
        "sklearn.mixture.GaussianMixture.html#sklearn.mixture.GaussianMixture",
        "https://scikit-learn.org/stable/modules/generated/"
        "sklearn.base.BaseEstimator.html#sklearn.base.BaseEstimator",
    ],
    # numpy lists ArrayLike as data, signatures refer to it as a class
    "generated/custseg.segment_profiles.html": [
        "https://numpy.org/doc/stable/reference/typing.html#numpy.typing.ArrayLike",
    ],
}


def _docs_conf():
    spec = importlib.util.spec_from_file_location("custseg_docs_conf", DOCS / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_inventory(data, site):
    from sphinx.util.inventory import InventoryFile

    return InventoryFile.load(io.BytesIO(data), site, posixpath.join)


def _uri(entry):
    # Sphinx 8.2 made entries objects; older ones are tuples
    return entry.uri if hasattr(entry, "uri") else entry[2]


def _minimal_inventories(tmp_path):
    """Each project's minimal inventory, written and read back by Sphinx."""
    pytest.importorskip("sphinx", reason="the docs extra is not installed")
    conf = _docs_conf()
    inventories = {}
    for name, site in conf.INTERSPHINX_SITES.items():
        target = tmp_path / f"{name}.inv"
        conf.write_inventory(DOCS / "_intersphinx" / f"{name}.txt", target, name)
        inventories[name] = _load_inventory(target.read_bytes(), site)
    return conf, inventories


def test_minimal_inventories_give_each_name_its_address(tmp_path):
    conf, inventories = _minimal_inventories(tmp_path)
    aliases = {"None", "numpy.random.mtrand.RandomState"}
    expected = {
        ("pandas", "py:class", "pandas.DataFrame"): "https://pandas.pydata.org/docs/"
        "reference/api/pandas.DataFrame.html#pandas.DataFrame",
        ("sklearn", "py:class", "sklearn.cluster.KMeans"): "https://scikit-learn.org/"
        "stable/modules/generated/sklearn.cluster.KMeans.html#sklearn.cluster.KMeans",
        ("numpy", "py:class", "numpy.ndarray"): "https://numpy.org/doc/stable/"
        "reference/generated/numpy.ndarray.html#numpy.ndarray",
        ("polars", "py:class", "polars.LazyFrame"): "https://docs.pola.rs/api/python/"
        "stable/reference/lazyframe/index.html#polars.LazyFrame",
        ("python", "py:class", "collections.abc.Sequence"): "https://docs.python.org/"
        "3/library/collections.abc.html#collections.abc.Sequence",
        ("matplotlib", "py:class", "matplotlib.axes.Axes"): "https://matplotlib.org/"
        "stable/api/_as_gen/matplotlib.axes.Axes.html#matplotlib.axes.Axes",
    }
    for (project, role, name), url in expected.items():
        assert _uri(inventories[project][role][name]) == url
    for project, inventory in inventories.items():
        for entries in inventory.values():
            for name, entry in entries.items():
                # every address is on the project's site and names its anchor
                uri = _uri(entry)
                assert uri.startswith(conf.INTERSPHINX_SITES[project] + "/")
                assert "$" not in uri, (project, name)
                assert uri.endswith("#" + name) or name in aliases, (project, uri)


@pytest.mark.skipif(
    os.environ.get("CUSTSEG_DOCS_ONLINE") != "1",
    reason="needs the projects' sites (set CUSTSEG_DOCS_ONLINE=1)",
)
def test_minimal_inventories_agree_with_the_projects_own(tmp_path):
    import urllib.request

    conf, inventories = _minimal_inventories(tmp_path)
    aliases = {"numpy.random.mtrand.RandomState"}  # listed under numpy.random
    for project, site in conf.INTERSPHINX_SITES.items():
        with urllib.request.urlopen(f"{site}/objects.inv", timeout=60) as response:
            published = _load_inventory(response.read(), site)
        for role, entries in inventories[project].items():
            for name, entry in entries.items():
                if name in aliases:
                    continue
                assert name in published.get(role, {}), (project, role, name)
                assert _uri(published[role][name]) == _uri(entry), (project, name)


@pytest.mark.slow
def test_sphinx_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx", reason="the docs extra is not installed")
    pytest.importorskip("sphinx_gallery", reason="the docs extra is not installed")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-q",
            str(DOCS),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    index = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert "custseg" in index
    # the gallery ran: its rendered pages embed the plots it drew
    gallery_pages = list((tmp_path / "html" / "auto_examples").glob("plot_*.html"))
    assert gallery_pages, "no gallery example was rendered"
    assert list((tmp_path / "html" / "_images").glob("sphx_glr_plot_*.png"))
    # intersphinx links work offline, from the minimal inventories
    for page, links in EXTERNAL_LINKS.items():
        text = (tmp_path / "html" / page).read_text(encoding="utf-8")
        for link in links:
            assert f'href="{link}"' in text, (page, link)
