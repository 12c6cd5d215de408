"""An Engine pickles by the content of its table editions; results pickle by their JSON."""

from __future__ import annotations

import copy
import pickle
import shutil

import pytest

import cybercover
from conftest import SOURCE_TABLES, worked_example_1, worked_example_2


@pytest.mark.parametrize("protocol", [2, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_unpickled_engine_quotes_identically_with_the_same_sha256(engine, protocol):
    clone = pickle.loads(pickle.dumps(engine, protocol=protocol))
    assert isinstance(clone, cybercover.Engine)
    assert clone.editions == engine.editions
    for request in (worked_example_1(), worked_example_2()):
        assert clone.quote(request).to_dict() == engine.quote(request).to_dict()


def test_pickle_carries_the_table_files_not_a_path(tmp_path):
    tables = tmp_path / "tables"
    shutil.copytree(SOURCE_TABLES, tables)
    engine = cybercover.Engine(tables)
    data = pickle.dumps(engine)
    shutil.rmtree(tables)  # the directory is gone: the pickle must not need it
    clone = pickle.loads(data)
    assert clone.editions[0]["sha256"] == engine.editions[0]["sha256"]
    assert clone.quote(worked_example_1()).top_up_annual_premium_yen == 35800


def test_engine_state_is_edition_dir_and_file_bytes(engine):
    state = engine.__getstate__()
    assert isinstance(state, list) and len(state) == len(engine.editions)
    name, files = state[0]
    assert isinstance(name, str) and name
    assert "questionnaire.json" in files and all(isinstance(b, bytes) for b in files.values())


def test_tampered_pickle_state_is_a_table_error(engine):
    name, files = engine.__getstate__()[0]
    files = dict(files, **{"posture.json": b"{not json"})
    clone = cybercover.Engine.__new__(cybercover.Engine)
    with pytest.raises(cybercover.TableError):
        clone.__setstate__([(name, files)])
    with pytest.raises(TypeError):
        clone.__setstate__("not a state")


def test_copy_of_the_immutable_engine_is_itself(engine):
    assert copy.copy(engine) is engine
    assert copy.deepcopy(engine) is engine


def test_quote_and_assessment_pickle(engine):
    q = engine.quote(worked_example_1())
    q2 = pickle.loads(pickle.dumps(q))
    assert q2 == q and repr(q2) == repr(q) and q2.to_dict() == q.to_dict()
    a = engine.assess(worked_example_1())
    assert pickle.loads(pickle.dumps(a)) == a
