"""The documentation builds with warnings as errors, gallery examples included."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


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
