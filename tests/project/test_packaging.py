"""Package metadata a user can depend on: licence, typing marker, changelog, docs links."""

import importlib.util
import tomllib
from pathlib import Path

import custseg

ROOT = Path(__file__).resolve().parents[2]


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_licence_is_an_spdx_expression_with_its_file():
    project = _pyproject()
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder" in text  # clause 3
    # a licence expression excludes licence classifiers (PEP 639)
    assert not any(c.startswith("License ::") for c in project["classifiers"])


def test_package_is_marked_typed():
    assert (Path(custseg.__file__).parent / "py.typed").exists()
    assert "Typing :: Typed" in _pyproject()["classifiers"]
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["custseg"]


def test_changelog_has_an_unreleased_section():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text


def _docs_conf():
    spec = importlib.util.spec_from_file_location("conf", ROOT / "docs" / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def test_intersphinx_is_optional_offline(tmp_path):
    conf = _docs_conf()
    assert set(conf.INTERSPHINX_SITES) == {
        "python",
        "numpy",
        "pandas",
        "sklearn",
        "polars",
        "matplotlib",
    }
    saved, built = tmp_path / "saved", tmp_path / "built"
    saved.mkdir()
    built.mkdir()
    # offline, nothing saved: no inventory to fetch, so no warning under -W
    assert conf._intersphinx_mapping(False, str(saved), str(built)) == {}
    # a saved full inventory is used offline; online, the site comes next
    (saved / "pandas.inv").write_bytes(b"")
    offline = conf._intersphinx_mapping(False, str(saved), str(built))
    assert offline == {
        "pandas": ("https://pandas.pydata.org/docs", (str(saved / "pandas.inv"),))
    }
    online = conf._intersphinx_mapping(True, str(saved), str(built))
    assert set(online) == set(conf.INTERSPHINX_SITES)
    assert online["pandas"][1] == (str(saved / "pandas.inv"), None)
    assert online["numpy"][1] == (None,)
    # the minimal list of referenced names is compiled into the build folder
    # and comes last, after a saved inventory and the site
    (saved / "numpy.txt").write_text(
        (ROOT / "docs" / "_intersphinx" / "numpy.txt").read_text()
    )
    offline = conf._intersphinx_mapping(False, str(saved), str(built))
    assert offline["numpy"][1] == (str(built / "numpy.inv"),)
    assert (built / "numpy.inv").stat().st_size > 0
