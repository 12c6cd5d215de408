"""The package: layout of the build tree, __all__, stubs, docstrings, keyword rules."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import cybercover
from cybercover import _core
from conftest import SOURCE_TABLES, worked_example_1

PACKAGE_DIR = Path(cybercover.__file__).resolve().parent


def test_shipped_tables_are_a_copy_of_the_source_tables():
    shipped = Path(cybercover.default_tables_dir())
    assert shipped.parent == PACKAGE_DIR
    assert sorted(p.name for p in (shipped / "2026-12").glob("*.json")) == sorted(
        p.name for p in (SOURCE_TABLES / "2026-12").glob("*.json")
    )
    assert cybercover.Engine().editions == cybercover.Engine(SOURCE_TABLES).editions
    assert cybercover.check_tables(shipped) == cybercover.Engine().editions


def test_package_files_are_present():
    for name in ("py.typed", "__init__.pyi", "_core.pyi"):
        assert (PACKAGE_DIR / name).is_file(), name


def test_editions_property(engine):
    old, new = engine.editions
    assert old["edition"] == "2026-12"
    assert old["effective_from"] == "2026-12-01" and old["effective_to"] == "2027-03-31"
    assert new["edition"] == "2027-04"
    assert new["effective_from"] == "2027-04-01" and new["effective_to"] is None
    for edition in (old, new):
        assert len(edition["sha256"]) == 64 and set(edition) == {"edition", "effective_from", "effective_to", "sha256"}


def test_engine_accepts_str_and_pathlike_tables():
    assert cybercover.Engine(str(SOURCE_TABLES)).editions == cybercover.Engine(SOURCE_TABLES).editions


def test_version():
    assert cybercover.__version__.count(".") == 2
    assert cybercover.Engine().quote(worked_example_1()).to_dict()["engine_version"] == cybercover.__version__


def test_all_lists_exactly_the_public_names():
    assert len(set(cybercover.__all__)) == len(cybercover.__all__)
    for name in cybercover.__all__:
        assert hasattr(cybercover, name), name
    modules = {"editions", "indication", "portfolio", "remediation", "request", "revision", "synthetic"}  # sub-modules are attributes of the package, not part of __all__
    public = {n for n in vars(cybercover) if not n.startswith("_")} - modules - {"annotations"}
    assert public == set(cybercover.__all__) - {"__version__"}


def _stub_definitions(path: Path) -> set:
    """Names a stub defines (classes, functions, annotated variables), not its imports."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname for a in node.names if a.asname)  # "import X as X" re-exports
    return names


def _runtime_names(module) -> set:
    return {n for n in vars(module) if not (n.startswith("__") and n.endswith("__"))} | {"__version__"}


def test_core_stub_declares_exactly_the_module_contents():
    stub = _stub_definitions(PACKAGE_DIR / "_core.pyi") - {"_PathLike", "_Json"}
    assert stub == _runtime_names(_core)


def test_core_stub_declares_every_public_member_of_each_class():
    tree = ast.parse((PACKAGE_DIR / "_core.pyi").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name in ("Engine", "Quote", "Assessment"):
            declared = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
            runtime = {n for n in dir(getattr(_core, node.name)) if not n.startswith("_")}
            assert runtime <= declared, node.name


def test_package_stub_matches_all():
    assert _stub_definitions(PACKAGE_DIR / "__init__.pyi") - {"__all__"} == set(cybercover.__all__)


PUBLIC_CALLABLES = [
    cybercover.Engine,
    cybercover.Engine.quote,
    cybercover.Engine.assess,
    cybercover.Engine.quote_json,
    cybercover.Engine.assess_json,
    cybercover.check_tables,
    cybercover.Quote.to_dict,
    cybercover.Quote.to_json,
    cybercover.Assessment.to_dict,
    cybercover.default_tables_dir,
    cybercover.QuoteRequest,
    cybercover.QuoteRequest.to_dict,
    cybercover.Company,
    cybercover.Controls,
    cybercover.Edr,
    cybercover.Cover,
    cybercover.AssessmentRequest,
    cybercover.Error,
    cybercover.InputError,
    cybercover.TableError,
    cybercover.NoEditionError,
    cybercover.TableIoError,
]


@pytest.mark.parametrize("obj", PUBLIC_CALLABLES, ids=lambda o: getattr(o, "__qualname__", str(o)))
def test_public_api_has_docstrings(obj):
    doc = inspect.getdoc(obj)
    assert doc and len(doc) > 20


@pytest.mark.parametrize("method", ["quote", "assess", "quote_json", "assess_json"])
def test_numpydoc_sections(method):
    doc = getattr(cybercover.Engine, method).__doc__
    for section in ("Parameters\n", "Returns\n", "Raises\n"):
        assert section in doc, section


def test_unknown_keywords_are_rejected(engine):
    with pytest.raises(TypeError):
        cybercover.Engine(tables=None, edition="2026-12")
    with pytest.raises(TypeError):
        engine.quote(request=worked_example_1(), validate=False)
    q = engine.quote(request=worked_example_1())
    with pytest.raises(TypeError):
        q.to_json(2)  # indent is keyword-only
    assert q.to_json(indent=2).startswith("{\n  ")


def test_results_cannot_be_constructed_or_mutated(engine):
    q = engine.quote(worked_example_1())
    with pytest.raises(TypeError):
        cybercover.Quote()
    with pytest.raises(AttributeError):
        q.tier = "E"
    d = q.to_dict()
    d["tier"] = "E"
    assert q.tier == "A"  # to_dict returns a fresh dict
