"""Rating editions as editable data, for rate revision (docs/rate_revision.md).

An :class:`Edition` holds an edition's table files as JSON documents. Change a factor, a row
or a band directly (``edition.table("top_up")["tier_factors"]["A"] = 0.45``) or through a tidy
pandas view of a table (:meth:`Edition.frame`, edited and written back with
:meth:`Edition.set_frame`); check it with the library's own loader (:meth:`Edition.validate`:
the same errors as ``cybercover tables check``); write it as canonical JSON
(:meth:`Edition.save`, :meth:`Edition.files`) with its :attr:`Edition.sha256`; compare two
editions row by row (:func:`diff`); and price with editions that exist only in memory
(:meth:`Edition.engine`, :meth:`Engine.from_editions <cybercover.Engine.from_editions>`).

The documents are plain dicts and lists; the library parses, writes, hashes and validates
them (C++), so Python and C++ give the same bytes and the same sha256.

Examples
--------
>>> import cybercover
>>> from cybercover.editions import Edition
>>> e = Edition.load("rating_tables/2026-12")                         # doctest: +SKIP
>>> e.set_identity("2027-04", effective_from="2027-04-01")            # doctest: +SKIP
>>> tiers = e.frame("top_up", "tier_factors")                         # tier, factor
>>> tiers.loc[tiers["tier"] == "E", "factor"] = 1.80                  # doctest: +SKIP
>>> e.set_frame("top_up", "tier_factors", tiers)                      # doctest: +SKIP
>>> e.validate()["sha256"] == e.sha256                                # doctest: +SKIP
True
>>> engine = cybercover.Engine.from_editions([old, e])                # doctest: +SKIP
>>> engine.quote(request, edition="2027-04")                          # doctest: +SKIP
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import math
import numbers
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._core import Engine

__all__ = ["Edition", "diff", "views"]

_HEADER = ("table", "edition", "effective_from", "effective_to")
PathLike = Union[str, "os.PathLike[str]"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover
        raise ImportError("cybercover.editions needs pandas for its frames (Debian: apt install python3-pandas)") from e
    return pandas


# ---- views ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Level:
    """One level of nesting a view walks: the container at `path` below the parent element,
    iterated as an array or as an object's members. Each element adds `column` (its member
    key, its `identity` member, or its 1-based position) and its `fields`."""

    path: Tuple[str, ...]
    kind: str  # "array" or "object"
    column: Optional[str] = None
    identity: Optional[str] = None
    fields: Tuple[Tuple[str, str, str], ...] = ()  # (column, dotted member path, type)


@dataclass(frozen=True)
class _View:
    table: str
    name: str
    levels: Tuple[_Level, ...]
    leaf: Tuple[Tuple[str, str, str], ...] = ()  # fields of an object element: (column, path, type)
    value: Optional[Tuple[str, str]] = None  # a scalar element: (column, type)
    doc: str = ""

    @property
    def root(self) -> Tuple[str, ...]:
        return self.levels[0].path

    def columns(self) -> List[str]:
        out: List[str] = []
        for level in self.levels:
            if level.column:
                out.append(level.column)
            out += [c for c, _, _ in level.fields]
        out += [c for c, _, _ in self.leaf]
        if self.value:
            out.append(self.value[0])
        return out

    def types(self) -> Dict[str, str]:
        t: Dict[str, str] = {}
        for i, level in enumerate(self.levels):
            if level.column:
                key_type = "int" if level.kind == "array" and not level.identity else "str"
                if level.identity:
                    key_type = _identity_type(self, i)
                t[level.column] = key_type
            t.update({c: ty for c, _, ty in level.fields})
        t.update({c: ty for c, _, ty in self.leaf})
        if self.value:
            t[self.value[0]] = self.value[1]
        return t


def _identity_type(view: _View, level: int) -> str:
    name = view.levels[level].identity
    return "int" if name in ("number", "limit_yen", "deductible_yen", "max_revenue_yen", "min_score") else "str"


def _L(path: str, kind: str, column: Optional[str] = None, identity: Optional[str] = None,
       fields: Sequence[Tuple[str, str, str]] = ()) -> _Level:
    return _Level(tuple(path.split(".")) if path else (), kind, column, identity, tuple(fields))


_OPTION_FIELDS = lambda amount: ((amount, amount, "int"), ("factor", "factor", "decimal"))  # noqa: E731

_VIEWS: List[_View] = [
    # questionnaire.json
    _View("questionnaire", "answer_credits", (_L("answer_credits", "object", "answer"),), value=("credit", "decimal"),
          doc="the credit of each answer"),
    _View("questionnaire", "domains", (_L("domains", "array", identity="number"),),
          leaf=(("number", "number", "int"), ("key", "key", "str"), ("name_ja", "name_ja", "str"),
                ("name_en", "name_en", "str")), doc="the 24 domains"),
    _View("questionnaire", "items", (_L("items", "array", identity="id"),),
          leaf=(("id", "id", "str"), ("domain", "domain", "int"), ("points", "points", "int"), ("ipa_no", "ipa_no", "int"),
                ("allow_na", "allow_na", "bool"), ("security_action", "security_action", "str"),
                ("question_ja", "question_ja", "str"), ("question_en", "question_en", "str"),
                ("measure_ja", "measure_ja", "str"), ("measure_en", "measure_en", "str")), doc="the items"),
    # posture.json
    _View("posture", "tiers", (_L("tiers", "array", identity="tier"),),
          leaf=(("tier", "tier", "str"), ("min_index", "min_index", "int")), doc="the tier ladder"),
    # underwriting.json
    _View("underwriting", "sme_categories", (_L("sme_categories", "array", identity="key"),),
          leaf=(("key", "key", "str"), ("capital_max_yen", "capital_max_yen", "int"), ("employees_max", "employees_max", "int")),
          doc="the SME categories"),
    _View("underwriting", "industries", (_L("industries", "array", identity="key"),),
          leaf=(("key", "key", "str"), ("sme_category", "sme_category", "str"),
                ("rubber_products_category", "rubber_products_category", "str")), doc="the industries"),
    # base_cover.json
    _View("base_cover", "employee_bands", (_L("employee_bands", "array", "band"),),
          leaf=(("max_employees", "max_employees", "int"),), doc="the employee bands (last open-ended)"),
    _View("base_cover", "plans", (_L("plans", "object", "plan"),),
          leaf=(("limit_yen", "limit_yen", "int"), ("requires_utm", "requires.utm", "str"), ("requires_edr", "requires.edr", "str"),
                ("per_covered_endpoint_yen", "monthly_rate.per_covered_endpoint_yen", "int"),
                ("minimum_yen", "monthly_rate.minimum_yen", "int"), ("cap_fixed_yen", "price_cap.fixed_yen", "int"),
                ("cap_per_covered_endpoint_yen", "price_cap.per_covered_endpoint_yen", "int")),
          doc="each plan's limit, required controls, per-endpoint rate, minimum and price cap"),
    _View("base_cover", "band_rates", (_L("plans", "object", "plan"), _L("monthly_rate.by_employee_band_yen", "array", "band")),
          value=("rate_yen", "int"), doc="the monthly rate of each plan by employee band"),
    _View("base_cover", "tier_factors", (_L("tier_factors", "object", "tier"),), value=("factor", "decimal"),
          doc="the base cover's tier factors"),
    # top_up.json
    _View("top_up", "sections", (_L("sections", "array", identity="key"),),
          leaf=(("key", "key", "str"), ("name_ja", "name_ja", "str"), ("default_deductible_yen", "default_deductible_yen", "int"),
                ("excess_over_base_cover", "excess_over_base_cover", "bool")), doc="the sections"),
    _View("top_up", "limits", (_L("sections", "array", "section", "key"), _L("limits", "array")),
          leaf=_OPTION_FIELDS("limit_yen"), doc="the limits offered and their factors"),
    _View("top_up", "deductibles", (_L("sections", "array", "section", "key"), _L("deductibles", "array")),
          leaf=_OPTION_FIELDS("deductible_yen"), doc="the deductibles offered and their factors"),
    _View("top_up", "revenue_bands",
          (_L("revenue_bands", "array", "band", fields=(("max_revenue_yen", "max_revenue_yen", "int"),)),
           _L("base_premium_yen", "object", "section")),
          value=("base_premium_yen", "int"), doc="the base premium of each section by revenue band"),
    _View("top_up", "industry_factors", (_L("industry_factors", "object", "industry"),), value=("factor", "decimal"),
          doc="the industry factors"),
    _View("top_up", "tier_factors", (_L("tier_factors", "object", "tier"),), value=("factor", "decimal"),
          doc="the top-up's tier factors"),
    _View("top_up", "excess_factors", (_L("excess_factors", "object", "plan"),), value=("factor", "decimal"),
          doc="the excess factors of the section above the base cover, by plan"),
    _View("top_up", "multi_section_factors", (_L("multi_section_factors", "array", "sections"),), value=("factor", "decimal"),
          doc="the package factor by number of sections"),
    # subsidies.json
    _View("subsidies", "programs", (_L("programs", "array", identity="id"),),
          leaf=(("id", "id", "str"), ("name_ja", "name_ja", "str"), ("numerator", "share.numerator", "int"),
                ("denominator", "share.denominator", "int"), ("cap_yen", "cap_yen", "int"),
                ("in_force_from", "in_force_from", "str"), ("in_force_to", "in_force_to", "str"),
                ("requires_sme", "requires_sme", "bool"), ("requires_security_action", "requires_security_action", "bool")),
          doc="the subsidy programmes"),
    # loss_model.json
    _View("loss_model", "frequency", (_L("frequency.tier_c_lambda_by_employee_band", "array", "band"),),
          value=("lambda", "number"), doc="incidents a year at tier C by employee band"),
    _View("loss_model", "tier_multipliers", (_L("frequency.tier_multipliers", "object", "tier"),),
          value=("multiplier", "number"), doc="the frequency multiplier of each tier"),
    _View("loss_model", "sections", (_L("sections", "object", "section"),),
          leaf=(("claim_probability", "claim_probability", "number"), ("loss_scale", "loss_scale", "number")),
          doc="each section's claim probability and loss scale"),
    # remediation.json
    _View("remediation", "effort_classes", (_L("effort_classes", "array", identity="key"),),
          leaf=(("key", "key", "str"), ("name_ja", "name_ja", "str"), ("name_en", "name_en", "str"),
                ("typical_cost_yen", "typical_cost_yen", "int")), doc="the effort classes"),
    _View("remediation", "items", (_L("items", "object", "effort"), _L("", "array")),
          value=("item", "str"), doc="the effort class of each item"),
    _View("remediation", "score_readings", (_L("score_readings", "array", identity="min_score"),),
          leaf=(("min_score", "min_score", "int"), ("label_ja", "label_ja", "str"), ("label_en", "label_en", "str"),
                ("reading_ja", "reading_ja", "str"), ("reading_en", "reading_en", "str")), doc="the score readings"),
]
_BY_NAME: Dict[Tuple[str, str], _View] = {(v.table, v.name): v for v in _VIEWS}


def views(table: Optional[str] = None) -> "Any":
    """List the tidy views of the tables: one row per (table, view) with its columns.

    Every table also has the view ``"settings"``: each scalar not in another view, by its
    dotted path (``instalment.loading``, ``renewal_cap.max_increase``, ``severity.sigma``).

    Parameters
    ----------
    table : str, optional
        Only this table's views.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``view``, ``columns`` and ``about``.
    """
    pd = _pandas()
    rows = [(v.table, v.name, ", ".join(v.columns()), v.doc) for v in _VIEWS if table in (None, v.table)]
    tables = [table] if table else sorted({v.table for v in _VIEWS})
    rows += [(t, "settings", "key, value", "every other scalar, by its dotted path") for t in tables]
    return pd.DataFrame(rows, columns=["table", "view", "columns", "about"])


# ---- documents ------------------------------------------------------------------------------
def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        pd = _pandas()
        if v is pd.NA or v is pd.NaT:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(v, float) and math.isnan(v)


def _plain(v: Any, kind: str, where: str) -> Any:
    """A frame cell as the JSON value it stands for; None for a missing cell."""
    if _is_missing(v):
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if kind == "int" and isinstance(v, float) and v.is_integer():
        return int(v)  # an integer column that pandas turned into floats
    if kind in ("decimal", "number") and isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, (list, tuple)):
        return [_plain(x, "", where) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x, "", where) for k, x in v.items()}
    if not isinstance(v, (str, bool, int, float)):
        raise TypeError(f"{where}: {v!r} ({type(v).__qualname__}) is not a JSON value")
    return v


def _get(node: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _ensure(node: Dict[str, Any], path: Sequence[str], empty: Any) -> Any:
    for i, key in enumerate(path):
        last = i == len(path) - 1
        if key not in node or node[key] is None or (not last and not isinstance(node[key], dict)):
            node[key] = copy.deepcopy(empty) if last else {}
        node = node[key]
    return node


def _set_member(element: Dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = element
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            if value is None:
                return
            node[key] = {}
        node = node[key]
    if value is None:
        if keys[-1] in node:  # null and absent mean the same to the loader: keep the spelling
            node[keys[-1]] = None
    else:
        node[keys[-1]] = value


def _leaf_paths(node: Any, prefix: str = "") -> List[Tuple[str, Any]]:
    """Every scalar leaf (and list of scalars) below `node`, with its dotted path."""
    if isinstance(node, dict):
        out: List[Tuple[str, Any]] = []
        for k, v in node.items():
            out += _leaf_paths(v, f"{prefix}.{k}" if prefix else k)
        return out
    if isinstance(node, list) and any(isinstance(x, (dict, list)) for x in node):
        out = []
        for i, v in enumerate(node):
            out += _leaf_paths(v, f"{prefix}[{i}]")
        return out
    return [(prefix, node)]


def _split_path(path: str) -> List[Union[str, int]]:
    steps: List[Union[str, int]] = []
    for part in path.split("."):
        while "[" in part:
            head, _, rest = part.partition("[")
            if head:
                steps.append(head)
            index, _, part = rest.partition("]")
            steps.append(int(index))
        if part:
            steps.append(part)
    return steps


def _set_path(doc: Dict[str, Any], path: str, value: Any) -> None:
    steps = _split_path(path)
    node: Any = doc
    for i, step in enumerate(steps[:-1]):
        nxt = steps[i + 1]
        if isinstance(step, int):
            node = node[step]
        else:
            if step not in node or not isinstance(node[step], (dict, list)):
                node[step] = [] if isinstance(nxt, int) else {}
            node = node[step]
    last = steps[-1]
    if isinstance(last, int):
        node[last] = value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value


def _delete_path(doc: Dict[str, Any], path: str) -> None:
    steps = _split_path(path)
    node: Any = doc
    for step in steps[:-1]:
        node = node[step]
    if isinstance(steps[-1], str):
        node.pop(steps[-1], None)


class Edition:
    """An edition's table files as editable JSON documents.

    Build one with :meth:`load` (a directory), :meth:`from_engine` (an edition the engine
    loaded) or :meth:`copy`. Nothing is checked until :meth:`validate` (or :meth:`save`,
    :meth:`engine`): a draft may be invalid while it is being edited.

    Attributes
    ----------
    name : str
        What the files are called in error messages (``<name>/top_up.json: ...``).
    """

    def __init__(self, documents: Mapping[str, Any], *, name: str = "draft") -> None:
        """Private: use :meth:`load` or :meth:`from_engine`. `documents`: file name -> document."""
        self._docs: Dict[str, Any] = {k if k.endswith(".json") else k + ".json": v for k, v in documents.items()}
        self.name = name

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def _from_texts(cls, name: str, texts: Mapping[str, str]) -> "Edition":
        return cls({file: json.loads(text) for file, text in texts.items()}, name=name)

    @classmethod
    def load(cls, path: PathLike) -> "Edition":
        """Read an edition directory's ``*.json`` files (not yet validated).

        Raises
        ------
        TableError
            A file is not JSON, or repeats a key (``table.malformed_json``), as the loader says.
        TableIoError
            The directory or a file cannot be read.
        """
        name, texts = _core._edition_load(path)
        return cls._from_texts(name, texts)

    @classmethod
    def from_engine(cls, engine: Engine, edition: str) -> "Edition":
        """The files of an edition the engine loaded (``no_edition.unknown_edition`` if none)."""
        name, texts = _core._edition_of_engine(engine, edition)
        return cls._from_texts(name, texts)

    def copy(self, *, name: Optional[str] = None) -> "Edition":
        """A deep copy, to change without touching this one."""
        return Edition(copy.deepcopy(self._docs), name=name or self.name)

    # -- identity ----------------------------------------------------------------------------
    def _header(self, key: str) -> Any:
        doc = self._docs.get("questionnaire.json") or next(iter(self._docs.values()), {})
        return doc.get(key) if isinstance(doc, dict) else None

    @property
    def edition(self) -> Optional[str]:
        """The edition id the files give."""
        return self._header("edition")

    @property
    def effective_from(self) -> Optional[str]:
        return self._header("effective_from")

    @property
    def effective_to(self) -> Optional[str]:
        return self._header("effective_to")

    def set_identity(self, edition: str, *, effective_from: Any, effective_to: Any = None) -> None:
        """Set ``edition``, ``effective_from`` and ``effective_to`` (None: open-ended) in every file."""
        for doc in self._docs.values():
            doc["edition"] = edition
            doc["effective_from"] = _plain(effective_from, "", "effective_from")
        self.set_effective_to(effective_to)

    def set_effective_to(self, effective_to: Any) -> None:
        """Set ``effective_to`` in every file (close an edition on the day before the next one)."""
        value = None if effective_to is None else _plain(effective_to, "", "effective_to")
        for doc in self._docs.values():
            doc["effective_to"] = value

    # -- documents ---------------------------------------------------------------------------
    @property
    def tables(self) -> List[str]:
        """The table names, in file-name order."""
        return sorted(k[:-5] for k in self._docs)

    def table(self, name: str) -> Dict[str, Any]:
        """The document of a table (live: change it in place)."""
        file = name if name.endswith(".json") else name + ".json"
        if file not in self._docs:
            raise KeyError(f"{self.name}/{file}: no such table (tables: {', '.join(self.tables)})")
        return self._docs[file]

    def set_table(self, name: str, document: Dict[str, Any]) -> None:
        self._docs[name if name.endswith(".json") else name + ".json"] = document

    def _texts(self) -> Dict[str, str]:
        return {file: json.dumps(doc, ensure_ascii=False, allow_nan=False) for file, doc in sorted(self._docs.items())}

    def files(self) -> Dict[str, str]:
        """The files as canonical JSON text (file name -> text), as :meth:`save` writes them."""
        return dict(_core._edition_canonical(self.name, self._texts()))

    @property
    def sha256(self) -> str:
        """The SHA-256 of the canonical files, taken as the loader takes an edition's."""
        return _core._edition_sha256(self.name, self._texts())

    def validate(self) -> Dict[str, Any]:
        """Check the edition with the library's loader.

        Returns
        -------
        dict
            ``edition``, ``effective_from``, ``effective_to`` and ``sha256`` (equal to
            :attr:`sha256`).

        Raises
        ------
        TableError
            The loader's error, naming ``<name>/<file>: key`` exactly as ``cybercover tables
            check`` would for the saved directory.
        """
        return dict(_core._edition_validate(self.name, self._texts()))

    def save(self, path: PathLike) -> None:
        """Validate, then write the canonical files into `path` (created when missing).

        Each file goes through a temporary file renamed into place; an invalid edition writes
        nothing, and a directory holding other ``*.json`` files is refused (``io.cannot_write``).
        """
        _core._edition_save(self.name, self._texts(), path)

    def engine(self, *others: "Edition") -> Engine:
        """An Engine over this edition (and `others`), in memory: nothing is written."""
        return Engine.from_editions([self, *others])

    # -- frames ------------------------------------------------------------------------------
    def frame(self, table: str, view: str) -> Any:
        """A tidy DataFrame of one part of a table (:func:`views` lists them).

        Parameters
        ----------
        table : str
            ``"top_up"``, ``"base_cover"``, ...
        view : str
            The view's name, e.g. ``"tier_factors"``, ``"limits"``, ``"revenue_bands"``, or
            ``"settings"`` (every other scalar by its dotted path).

        Returns
        -------
        pandas.DataFrame
            One row per table row; integer columns are ``Int64`` (missing: NA).
        """
        pd = _pandas()
        doc = self.table(table)
        if view == "settings":
            rows = self._settings(table)
            # object values: integers stay integers beside decimals
            return pd.DataFrame({"key": [k for k, _ in rows], "value": pd.Series([v for _, v in rows], dtype=object)})
        spec = self._view(table, view)
        rows: List[Dict[str, Any]] = []

        def walk(node: Any, level: int, row: Dict[str, Any]) -> None:
            if level == len(spec.levels):
                out = dict(row)
                if spec.value:
                    out[spec.value[0]] = node
                else:
                    for column, path, _ in spec.leaf:
                        out[column] = _get(node, path.split("."))
                rows.append(out)
                return
            lv = spec.levels[level]
            container = _get(node, lv.path) if lv.path else node
            if lv.kind == "object" and isinstance(container, dict):
                items = list(container.items())
            elif lv.kind == "array" and isinstance(container, list):
                items = [(i + 1, e) for i, e in enumerate(container)]
            else:
                return
            for key, element in items:
                r = dict(row)
                if lv.column:
                    r[lv.column] = element.get(lv.identity) if lv.identity and isinstance(element, dict) else key
                for column, path, _ in lv.fields:
                    r[column] = _get(element, path.split("."))
                walk(element, level + 1, r)

        walk(doc, 0, {})
        frame = pd.DataFrame(rows, columns=spec.columns())
        for column, kind in spec.types().items():
            if kind == "int":
                frame[column] = pd.array([None if _is_missing(v) else int(v) for v in frame[column]], dtype="Int64")
            elif kind in ("decimal", "number"):
                frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
            elif kind == "bool" and frame[column].notna().all():
                frame[column] = frame[column].astype(bool)
        return frame

    def set_frame(self, table: str, view: str, frame: Any) -> None:
        """Write an edited view back into its table: the rows become the table's rows.

        Rows may be changed, added, removed or reordered. Members of a table row that the
        view does not show are kept (matched by the row's identity: its key, id, number...);
        a missing cell leaves the member out. Check the result with :meth:`validate`.

        Raises
        ------
        KeyError
            A column of the view is missing from `frame`, or a row names a parent row (a
            section, a plan) that the table does not have.
        """
        pd = _pandas()
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"frame must be a pandas.DataFrame, got {type(frame).__qualname__}")
        doc = self.table(table)
        if view == "settings":
            self._set_settings(table, frame)
            return
        spec = self._view(table, view)
        missing = [c for c in spec.columns() if c not in frame.columns]
        if missing:
            raise KeyError(f"{table}.{view}: the frame lacks the view's columns {missing}")
        types = spec.types()
        records = [{c: _plain(row[c], types[c], f"{table}.{view}.{c}") for c in spec.columns()}
                   for row in frame[spec.columns()].to_dict("records")]

        def identity_of(lv: _Level, row: Dict[str, Any], position: int) -> Any:
            if lv.column:
                return row[lv.column]
            if lv.identity:  # the identity member is one of the row's own columns
                for column, path, _ in (spec.leaf if lv is spec.levels[-1] else lv.fields):
                    if path == lv.identity:
                        return row[column]
            return position

        def rebuild(node: Dict[str, Any], level: int, rows: List[Dict[str, Any]], where: str) -> None:
            lv = spec.levels[level]
            last = level == len(spec.levels) - 1
            container = _get(node, lv.path)
            groups: List[Tuple[Any, List[Dict[str, Any]]]] = []
            for position, r in enumerate(rows):
                key = identity_of(lv, r, position)
                for g in groups:
                    if lv.column and g[0] == key:
                        g[1].append(r)
                        break
                else:
                    groups.append((key, [r]))
            positional = lv.kind == "array" and not lv.identity
            if positional and lv.column:
                groups.sort(key=lambda g: g[0])
            old_items: List[Tuple[Any, Any]]
            if lv.kind == "object":
                old_items = list(container.items()) if isinstance(container, dict) else []
            elif isinstance(container, list):
                old_items = [((e.get(lv.identity) if lv.identity and isinstance(e, dict) else i + 1), e)
                             for i, e in enumerate(container)]
            else:
                old_items = []
            old = dict(old_items) if lv.kind == "object" or lv.identity or lv.column else {}
            built: List[Tuple[Any, Any]] = []
            for key, group in groups:
                if last and lv.column and len(group) != 1:
                    raise KeyError(f"{where}: {lv.column} {key!r} given {len(group)} times")
                prior = old.get(key)
                if last and spec.value:
                    element: Any = group[0][spec.value[0]]
                else:
                    element = copy.deepcopy(prior) if isinstance(prior, dict) else {}
                    if lv.identity and lv.column:
                        element[lv.identity] = key
                    for column, path, _ in lv.fields:
                        _set_member(element, path, group[0][column])
                    if last:
                        for column, path, _ in spec.leaf:
                            _set_member(element, path, group[0][column])
                    else:
                        rebuild(element, level + 1, group, f"{where}.{key}")
                built.append((key, element))
            if not last:
                # A parent row with no rows in the frame stays as it was.
                mentioned = {k for k, _ in built}
                merged = [(k, dict(built)[k] if k in mentioned else e) for k, e in old_items]
                merged += [(k, e) for k, e in built if k not in dict(old_items)]
                built = merged
            new: Any = dict(built) if lv.kind == "object" else [e for _, e in built]
            parent = _ensure(node, lv.path[:-1], {}) if len(lv.path) > 1 else node
            parent[lv.path[-1]] = new

        if spec.levels[-1].path == ():  # remediation items: each class's list of item ids
            outer = spec.levels[0]
            lists: Dict[str, List[Any]] = {}
            for r in records:
                lists.setdefault(r[outer.column], []).append(r[spec.value[0]])
            doc[outer.path[0]] = lists
            return
        rebuild(doc, 0, records, f"{table}.{view}")

    def _view(self, table: str, view: str) -> _View:
        try:
            return _BY_NAME[(table, view)]
        except KeyError:
            names = [v.name for v in _VIEWS if v.table == table] + ["settings"]
            raise KeyError(f"{table}: no view {view!r} (views: {', '.join(names)})") from None

    def _roots(self, table: str) -> List[Tuple[str, ...]]:
        return [v.root for v in _VIEWS if v.table == table]

    def _settings(self, table: str) -> List[Tuple[str, Any]]:
        doc = self.table(table)
        roots = [".".join(r) for r in self._roots(table)]
        out = []
        for key, value in _leaf_paths(doc):
            if key in _HEADER or any(key == r or key.startswith(r + ".") or key.startswith(r + "[") for r in roots):
                continue
            out.append((key, value))
        return out

    def _set_settings(self, table: str, frame: Any) -> None:
        doc = self.table(table)
        if list(frame.columns[:2]) != ["key", "value"] and not {"key", "value"} <= set(frame.columns):
            raise KeyError(f"{table}.settings: the frame needs the columns key and value")
        current = dict(self._settings(table))
        given = {}
        for k, v in zip(frame["key"], frame["value"]):
            was_int = isinstance(current.get(str(k)), int) and not isinstance(current.get(str(k)), bool)
            given[str(k)] = _plain(v, "int" if was_int else "", f"{table}.settings.{k}")
        for key in current:
            if key not in given:
                _delete_path(doc, key)
        for key, value in given.items():
            if key in _HEADER:
                raise KeyError(f"{table}.settings: {key} is the edition's identity; use set_identity()")
            _set_path(doc, key, value)

    def __repr__(self) -> str:
        return f"Edition({self.edition!r}, {self.effective_from} to {self.effective_to or 'open'}, tables={len(self._docs)})"


def diff(before: Edition, after: Edition) -> Any:
    """The differences between two editions, row by row.

    Rows of a table are matched by their identity (a section's ``key``, an item's ``id``, a
    limit's ``limit_yen``, a band's ``max_revenue_yen``...), so an inserted row does not shift
    the others.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``path`` (``"sections[key=liability].limits[limit_yen=300000000].factor"``),
        ``change`` (``"changed"``, ``"added"``, ``"removed"``), ``before`` and ``after`` (the
        values as Python objects; None for an added or removed one) and ``ratio`` (after /
        before for changed numbers, else NaN).
    """
    pd = _pandas()
    rows = []
    for change, table, path, a, b in _core._edition_diff(before.name, before._texts(), after.name, after._texts()):
        va = None if a is None else json.loads(a)
        vb = None if b is None else json.loads(b)
        numeric = (change == "changed" and isinstance(va, (int, float)) and isinstance(vb, (int, float))
                   and not isinstance(va, bool) and not isinstance(vb, bool) and va != 0)
        rows.append((table, path, change, va, vb, vb / va if numeric else float("nan")))
    return pd.DataFrame(rows, columns=["table", "path", "change", "before", "after", "ratio"])


# ---- Engine.from_editions / Engine.edition ----------------------------------------------------
def _from_editions(cls: Any, editions: Iterable[Union[Edition, PathLike]]) -> Engine:
    """An Engine over editions held in memory (:class:`cybercover.editions.Edition`) or
    directories, each validated by the loader; their date ranges must not overlap.

    Parameters
    ----------
    editions : iterable of Edition or path
    """
    parts = []
    for e in editions:
        ed = e if isinstance(e, Edition) else Edition.load(e)
        parts.append((ed.name, ed._texts()))
    if not parts:
        raise ValueError("from_editions needs at least one edition")
    return _core._engine_of_editions(parts)


def _edition_of(self: Engine, edition: str) -> Edition:
    """The edition `edition` of this engine as an editable :class:`cybercover.editions.Edition`."""
    return Edition.from_engine(self, edition)


_from_editions.__qualname__ = "Engine.from_editions"
_edition_of.__qualname__ = "Engine.edition"
Engine.from_editions = classmethod(_from_editions)  # type: ignore[attr-defined]
Engine.edition = _edition_of  # type: ignore[attr-defined]
