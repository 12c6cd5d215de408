#!/usr/bin/python3
"""Check that docs/tables.md documents every key of the rating tables.

Usage: /usr/bin/python3 scripts/check_tables_doc.py [EDITION_DIR...]

docs/tables.md has one section per file (a heading "## `top_up.json`") with a table whose
first column is a key path: `sections[].limits[].factor`, `tier_factors.<tier>` (a name in
angle brackets stands for any one key: a tier, an industry, a section, a plan). The rows of
the table before the first file heading are the keys every file has.

Fails, listing every problem, when
* a key of a table file (the default edition, the test edition, or EDITION_DIR) matches no
  documented path of its file;
* a key the loader reads (lib/src/tables/load_edition.cpp: only_keys, at, find,
  load_options; remediation.json and loss_model.json: their own loaders) is not a segment
  of a documented path of that file, or a documented key is one the loader does not read;
* the documented files are not the loader's tables (kTableNames).
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs/tables.md"
LOADER = ROOT / "lib/src/tables/load_edition.cpp"
# Tables read by a loader of their own (the whole file is that table's section).
OWN_LOADERS = {"remediation": ROOT / "lib/src/remediation/load_remediation.cpp",
               "loss_model": ROOT / "lib/src/loss/load_loss_model.cpp"}
EDITIONS = [ROOT / "rating_tables/2026-12", ROOT / "tests/data/editions/2027-04"]
# The loader's "// ---- <name> ----" section that reads each file.
LOADER_SECTION = {"questionnaire": "questionnaire", "posture": "posture", "underwriting": "underwriting",
                  "base_cover": "base cover", "top_up": "top-up", "subsidies": "subsidies",
                  "loss_model": "loss_model"}
KEY = r"[a-z][a-z0-9_]*"

problems = []


def documented_paths():
    """Returns ({file: [path]}, [common path]) from the doc's tables."""
    files, common, current = {}, [], None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## `(\w+)\.json`", line)
        if heading:
            current = heading.group(1)
            files[current] = []
        elif re.match(r"^## ", line):
            current = None if files else current
        row = re.match(r"^\| `([^`]+)` \|", line)
        if row:
            (files[current] if current else common).append(row.group(1))
    return files, common


def pattern_of(path):
    """A documented path as a regex: <name> matches one key, [] an array element."""
    parts = re.split(r"(<[^>]+>)", path)
    return re.compile("".join("[^.\\[\\]]+" if p.startswith("<") else re.escape(p) for p in parts) + "$")


def key_paths(value, prefix=""):
    """Every key path of a JSON value: objects add ".key", arrays of containers add "[]"."""
    if isinstance(value, dict):
        for k, v in value.items():
            path = f"{prefix}.{k}" if prefix else k
            yield path
            yield from key_paths(v, path)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, (dict, list)):
                yield from key_paths(v, prefix + "[]")


def segments(path):
    return [s for s in re.split(r"[.\[\]]+", path) if s and not s.startswith("<")]


def keys_read(code):
    """The key names a piece of the loader reads: only_keys lists, at/find, load_options."""
    keys = set()
    for call in re.finditer(r"only_keys\(\{([^}]*)\}\)", code):
        keys.update(re.findall(f'"({KEY})"', call.group(1)))
    keys.update(re.findall(rf'\.(?:at|find)\("({KEY})"\)', code))
    keys.update(re.findall(rf'load_options\([^;]*,\s*"({KEY})"\)', code))
    return keys


def loader_keys():
    """Returns ({section name: keys read}, table names, keys read by the code after the
    sections, which checks the keys common to every file)."""
    source = LOADER.read_text(encoding="utf-8")
    names = re.search(r"kTableNames\[\] = \{([^}]*)\}", source)
    tables = re.findall(r'"(\w+)"', names.group(1)) if names else []
    # The per-file loaders sit in the anonymous namespace, one "// ---- name ----" section
    # each; load_edition_from_files follows it.
    helpers, _, after = source.partition("}  // namespace\n")
    sections = {}
    pieces = re.split(r"// ---- ([a-z -]+?) -+\n", helpers)
    for name, code in zip(pieces[1::2], pieces[2::2]):
        sections[name] = keys_read(code)
    for table, loader in OWN_LOADERS.items():
        sections[table] = keys_read(loader.read_text(encoding="utf-8")) - {"table", "edition", "effective_from", "effective_to"}
    return sections, tables, keys_read(after)


files, common = documented_paths()
sections, tables, outside = loader_keys()
if not common:
    problems.append(f"{DOC}: no table of the keys every file has (before the first file heading)")
if sorted(files) != sorted(tables):
    problems.append(f"documented files {sorted(files)} differ from the loader's tables {sorted(tables)}")

# 1. Every key of every table file is documented for its file.
for edition in [*EDITIONS, *map(pathlib.Path, sys.argv[1:])]:
    for path in sorted(edition.glob("*.json")):
        table = path.stem
        patterns = [pattern_of(p) for p in files.get(table, []) + common]
        for key in dict.fromkeys(key_paths(json.loads(path.read_text(encoding="utf-8")))):
            if not any(p.match(key) for p in patterns):
                problems.append(f"{path.relative_to(ROOT) if ROOT in path.parents else path}: key `{key}` is not "
                                f"documented in docs/tables.md under {table}.json")

# 2. The keys the loader reads and the keys documented are the same, file by file.
common_segments = {s for p in common for s in segments(p)}
for s in sorted(common_segments - outside):
    problems.append(f"docs/tables.md documents `{s}` for every file, but load_edition_from_files never reads it")
for table, paths in files.items():
    read = sections.get(LOADER_SECTION.get(table, table))
    if read is None:
        problems.append(f"load_edition.cpp has no '// ---- {LOADER_SECTION.get(table, table)} ----' section")
        continue
    documented = {s for p in paths for s in segments(p)}
    for s in sorted(read - documented - common_segments):
        problems.append(f"the loader reads `{s}` in {table}.json, but docs/tables.md does not document it")
    for s in sorted(documented - read):
        problems.append(f"docs/tables.md documents `{s}` in {table}.json, but the loader does not read it")

for p in problems:
    print("FAILED", p)
count = sum(len(v) for v in files.values()) + len(common)
print(f"{'FAILED' if problems else 'ok'}: {count} documented keys, {len(files)} files, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
