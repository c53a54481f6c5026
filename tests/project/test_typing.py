"""The public API is annotated, and its annotations resolve to real types.

Walks every name users import (``custseg.__all__``, the ``datasets``,
``plotting`` and ``report`` subpackages, the CLI entry point): functions, and
for classes ``__init__`` and every public method and property custseg defines
(inherited ones included, e.g. ``SegmenterMixin.fit``; scikit-learn's own
``get_params`` / ``set_output`` are scikit-learn's to annotate).
"""

import importlib
import inspect
import types
import typing
from pathlib import Path

import pytest

import custseg
import custseg.cli

PUBLIC_MODULES = ["custseg", "custseg.datasets", "custseg.plotting", "custseg.report"]


def _optional_names():
    """Names the plotting modules import only for type checkers.

    matplotlib is an optional dependency, so its types are imported under
    ``TYPE_CHECKING``; they resolve here against matplotlib itself.
    """
    try:
        from matplotlib.axes import Axes
        from matplotlib.colors import Colormap
    except ImportError:  # pragma: no cover - matplotlib is in the test extra
        return {}
    return {"Axes": Axes, "Colormap": Colormap}


def _members(klass):
    for owner in klass.__mro__:
        if not owner.__module__.startswith("custseg"):
            continue
        for name, member in vars(owner).items():
            if name.startswith("_") and name != "__init__":
                continue
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            elif isinstance(member, property):
                member = member.fget
            if inspect.isfunction(member):
                inherited = "" if owner is klass else f" [{owner.__name__}]"
                yield f"{klass.__name__}.{name}{inherited}", member


def public_callables():
    found = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                for qualname, member in _members(obj):
                    found.setdefault(member, f"{module_name}.{qualname}")
            elif inspect.isfunction(obj):
                found.setdefault(obj, f"{module_name}.{name}")
    found.setdefault(custseg.cli.main, "custseg.cli.main")
    return sorted(((name, func) for func, name in found.items()), key=lambda p: p[0])


CALLABLES = public_callables()


def test_the_walk_finds_the_public_api():
    from custseg import datasets, report

    funcs = {func for _, func in CALLABLES}
    # one of each kind: function, inherited estimator method, __init__,
    # Display constructor, report method, loader, CLI
    assert {
        custseg.rfm_table,
        custseg.CustomerSegmenter.fit,
        custseg.CustomerSegmenter.__init__,
        custseg.SegmentProfileDisplay.from_estimator.__func__,
        custseg.ValidationReport.to_frame,
        datasets.make_transactions,
        report.segmentation_report,
        custseg.cli.main,
    } <= funcs
    assert len(CALLABLES) > 100


@pytest.mark.parametrize(("name", "func"), CALLABLES, ids=[n for n, _ in CALLABLES])
def test_every_parameter_and_return_is_annotated(name, func):
    signature = inspect.signature(func)
    missing = [
        p.name
        for p in signature.parameters.values()
        if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty
    ]
    if signature.return_annotation is inspect.Signature.empty:
        missing.append("return")
    assert not missing, f"{name}: not annotated: {missing}"


@pytest.mark.parametrize(("name", "func"), CALLABLES, ids=[n for n, _ in CALLABLES])
def test_annotations_resolve(name, func):
    hints = typing.get_type_hints(func, localns=_optional_names())
    signature = inspect.signature(func)
    for parameter in signature.parameters.values():
        if parameter.name in ("self", "cls"):
            continue
        hint = hints[parameter.name]
        if parameter.default is None and hint not in (typing.Any, object, type(None)):
            # a None default is part of the type
            assert type(None) in typing.get_args(hint), (name, parameter.name, hint)
        if isinstance(parameter.default, bool):
            allowed = typing.get_args(hint) or (hint,)
            assert bool in allowed or hint in (typing.Any, object), (
                name,
                parameter.name,
            )


def test_the_shared_aliases_are_what_they_say():
    import numpy.typing as npt

    from custseg._tables import ArrayLike, DateLike, TableLike

    assert ArrayLike is npt.ArrayLike
    assert TableLike is typing.Any
    assert set(typing.get_args(DateLike)) >= {str}
    assert isinstance(DateLike, types.UnionType)


def test_the_package_ships_its_marker():
    # PEP 561: type checkers read the annotations only of packages marked so
    assert (Path(custseg.__file__).parent / "py.typed").is_file()
