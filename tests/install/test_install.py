#!/usr/bin/python3
"""The installed library finds its own tables (docs/install.md).

Installs the build into a scratch prefix outside the source and build trees, moves the
prefix elsewhere (nothing may depend on where it was installed), builds tests/consumer and
examples/cpp against it with find_package(cybercover), and from an empty directory runs the
installed `cybercover` CLI, the consumer and the example with their default tables
(Engine::with_default_tables).
Each run is traced with strace: no path under the source tree or the build tree may be
opened, or even looked at, and the installed table files must be the ones read. It also
checks the path the programs report, the edition's sha256 against an independent
computation, the quote's figures (worked example 1), the $CYBERCOVER_TABLES override, and
the error that lists the places looked at when the tables are gone.

Usage: test_install.py --cmake CMAKE --cxx CXX --source-dir SRC --build-dir BUILD
Prints every failed check and exits 1 if any failed.
"""
import argparse
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

parser = argparse.ArgumentParser()
parser.add_argument("--cmake", required=True)
parser.add_argument("--cxx", required=True)
parser.add_argument("--source-dir", required=True, type=pathlib.Path)
parser.add_argument("--build-dir", required=True, type=pathlib.Path)
args = parser.parse_args()
SRC = args.source_dir.resolve()
BUILD = args.build_dir.resolve()
sys.path.insert(0, str(SRC / "tests/golden"))
import golden_rules  # noqa: E402  (expands the golden file's "fill_answers")

failures = []


def check(name, condition, detail=""):
    if not condition:
        failures.append(f"{name}: {detail}")
        print(f"FAILED {name}: {detail}")


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


def must(cmd, what, **kw):
    p = run(cmd, **kw)
    if p.returncode != 0:
        sys.exit(f"{what} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def edition_sha256(edition_dir):
    """The edition hash of docs/rating_rules.md, computed here independently of the library:
    files sorted by relative path, each fed in as path, NUL, bytes, NUL."""
    h = hashlib.sha256()
    for f in sorted(p.name for p in pathlib.Path(edition_dir).glob("*.json")):
        h.update(f.encode() + b"\0" + (pathlib.Path(edition_dir) / f).read_bytes() + b"\0")
    return h.hexdigest()


def is_under(path, root):
    return path == root or root in path.parents


STRACE = shutil.which("strace")
strace_works = STRACE is not None and run([STRACE, "-f", "-o", os.devnull, "true"]).returncode == 0
if not strace_works:
    print("NOTE: strace is missing or not permitted here (scripts/setup.sh installs it); "
          "checking the reported paths only")


def traced(cmd, cwd, env, name):
    """Runs cmd under strace; returns (process, paths it looked at, as absolute paths)."""
    if not strace_works:
        return run(cmd, cwd=cwd, env=env), None
    log = pathlib.Path(cwd).parent / f"strace-{name}.log"
    # %file: every system call that takes a file name (open, openat, stat, access, readlink...).
    p = run([STRACE, "-f", "-qq", "-s", "4096", "-e", "trace=%file", "-o", log, *cmd], cwd=cwd, env=env)
    paths = set()
    for line in log.read_text(errors="replace").splitlines():
        for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', line):
            text = m.group(1).encode().decode("unicode_escape")
            if text.startswith("/") or "/" in text or text.endswith(".json"):
                paths.add(pathlib.Path(os.path.normpath(pathlib.Path(cwd) / text)))
    return p, paths


def check_no_tree_touched(name, paths, tables_dir):
    if paths is None:
        return
    touched = sorted(str(p) for p in paths if is_under(p, SRC) or is_under(p, BUILD))
    check(f"{name}: no path under the source or build tree", not touched, "\n  " + "\n  ".join(touched[:20]))
    edition = tables_dir / "2026-12"
    expected = {edition / f.name for f in (SRC / "rating_tables/2026-12").glob("*.json")}
    check(f"{name}: reads the table files under {tables_dir}", expected <= paths,
          f"missing: {sorted(str(p) for p in expected - paths)}")


scratch = pathlib.Path(tempfile.mkdtemp(prefix="cybercover-install-"))
check("scratch directory is outside both trees", not is_under(scratch, SRC) and not is_under(scratch, BUILD),
      str(scratch))
try:
    # ---- install, then move the prefix: the files must not depend on where they were put.
    stage, prefix = scratch / "stage", scratch / "moved-prefix"
    must([args.cmake, "--install", BUILD, "--prefix", stage, "--component", "Unspecified"], "cmake --install")
    stage.rename(prefix)
    cli = prefix / "bin/cybercover"
    tables_dir = prefix / "share/cybercover/rating_tables"
    libraries = sorted(prefix.rglob("libcybercover.so*"))
    check("installed the CLI", cli.is_file(), str(cli))
    check("installed the shared library", any(p.is_file() and not p.is_symlink() for p in libraries), str(libraries))
    check("does not install the static library", not list(prefix.rglob("libcybercover.a")))
    check("installed the tables", (tables_dir / "2026-12/top_up.json").is_file(), str(tables_dir))

    # The source and build paths are compiled into nothing that is installed (debug
    # sections aside: a RelWithDebInfo build names its sources there, which is harmless).
    for f in sorted(p for p in prefix.rglob("*") if p.is_file() and not p.is_symlink()):
        data = f.read_bytes()
        if data[:4] == b"\x7fELF":
            stripped = scratch / "stripped"
            must(["objcopy", "--strip-debug", f, stripped], "objcopy")
            data = stripped.read_bytes()
        for tree in (SRC, BUILD):
            check(f"{f.relative_to(prefix)} does not contain {tree}", str(tree).encode() not in data)

    # ---- the consumer, built against the moved prefix.
    consumer_build = scratch / "consumer-build"
    must([args.cmake, "-S", SRC / "tests/consumer", "-B", consumer_build, f"-DCMAKE_PREFIX_PATH={prefix}",
          f"-DCMAKE_CXX_COMPILER={args.cxx}", "-DCMAKE_BUILD_TYPE=Release"], "configuring the consumer")
    must([args.cmake, "--build", consumer_build], "building the consumer")
    consumer = consumer_build / "consumer"
    # The C++ example, built on its own as an integrator would copy it out of the repository.
    example_build = scratch / "example-build"
    must([args.cmake, "-S", SRC / "examples/cpp", "-B", example_build, f"-DCMAKE_PREFIX_PATH={prefix}",
          f"-DCMAKE_CXX_COMPILER={args.cxx}", "-DCMAKE_BUILD_TYPE=Release"], "configuring the example")
    must([args.cmake, "--build", example_build], "building the example")
    example = example_build / "quote_example"

    # ---- run both from an empty directory, with no override in the environment.
    workdir = scratch / "run"
    workdir.mkdir()
    questionnaire = json.loads((tables_dir / "2026-12/questionnaire.json").read_text())
    golden = json.loads((SRC / "tests/golden/quotes/01_worked_example_1.json").read_text())
    request = golden_rules.request_of(golden, [i["id"] for i in questionnaire["items"]])
    (workdir / "request.json").write_text(json.dumps(request))
    env = {k: v for k, v in os.environ.items() if k not in ("CYBERCOVER_TABLES", "LD_LIBRARY_PATH")}
    sha = edition_sha256(SRC / "rating_tables/2026-12")
    check("the installed tables hash as the source tables", edition_sha256(tables_dir / "2026-12") == sha)

    p, paths = traced([cli, "tables", "path"], workdir, env, "cli-path")
    check("cli tables path", p.returncode == 0 and pathlib.Path(p.stdout.strip()) == tables_dir,
          f"printed {p.stdout!r} {p.stderr}")
    p, paths = traced([cli, "quote", "request.json", "--json"], workdir, env, "cli-quote")
    check("cli quote", p.returncode == 0, p.stderr)
    if p.returncode == 0:
        doc = json.loads(p.stdout)
        check("cli quote: edition and sha256", doc["tables"] == {**doc["tables"], "edition": "2026-12", "sha256": sha},
              json.dumps(doc["tables"]))
        top = doc["top_up"] or {}
        check("cli quote: worked example 1 figures",
              (doc["tier"], top.get("annual_premium_yen"), top.get("payable_annual_yen"),
               top.get("monthly_instalment_yen"), doc["base_cover"]["monthly_premium_yen"]) == ("A", 35800, 23870, 2090, 765),
              json.dumps(top)[:300])
    check_no_tree_touched("cli quote", paths, tables_dir)

    p, paths = traced([consumer], workdir, env, "consumer")
    expected = f"tables={tables_dir}\nedition=2026-12 sha256={sha}\ntier=A annual=35800 payable=23870\n"
    check("consumer with the default tables", p.returncode == 0 and p.stdout == expected,
          f"printed {p.stdout!r}, expected {expected!r} (exit {p.returncode}) {p.stderr}")
    check_no_tree_touched("consumer", paths, tables_dir)

    p, paths = traced([example], workdir, env, "example")
    check("example with the default tables", p.returncode == 0 and f"sha256      {sha}\n" in p.stdout
          and "  payable     35800 - 11930 = 23870 yen\n" in p.stdout, f"{p.stdout!r} {p.stderr}")
    check_no_tree_touched("example", paths, tables_dir)

    # ---- $CYBERCOVER_TABLES overrides the installed tables.
    alternative = scratch / "alternative-tables"
    shutil.copytree(tables_dir, alternative)
    p, paths = traced([consumer], workdir, {**env, "CYBERCOVER_TABLES": str(alternative)}, "override")
    check("CYBERCOVER_TABLES overrides", p.returncode == 0 and p.stdout.startswith(f"tables={alternative}\n"),
          f"{p.stdout!r} {p.stderr}")
    if paths is not None:
        check("CYBERCOVER_TABLES: reads no installed table", not any(is_under(q, tables_dir) for q in paths))
        check("CYBERCOVER_TABLES: reads the override", (alternative / "2026-12/posture.json") in paths)
    missing = scratch / "no-such-dir"
    p = run([cli, "quote", "request.json"], cwd=workdir, env={**env, "CYBERCOVER_TABLES": str(missing)})
    check("CYBERCOVER_TABLES naming no directory is an error, not a fall-back",
          p.returncode == 2 and f'[cybercover.io.not_a_directory] CYBERCOVER_TABLES: must name a directory of rating '
          f'tables, but it is not a directory, got "{missing}"' in p.stderr, p.stderr)

    # ---- tables gone: a clear io error that lists the places looked at.
    shutil.rmtree(prefix / "share/cybercover")
    library = next(q for q in sorted(prefix.rglob("libcybercover.so.*")) if q.is_symlink())
    for name, cmd in (("cli", [cli, "quote", "request.json"]), ("consumer", [consumer])):
        p = run(cmd, cwd=workdir, env=env)
        check(f"{name} without tables: exit 2", p.returncode == 2, f"exit {p.returncode}")
        check(f"{name} without tables: names the code and where it looked",
              "[cybercover.io.not_a_directory] default tables: no default rating tables found; looked at "
              f"{tables_dir} (next to the library {library})" in p.stderr and "set CYBERCOVER_TABLES" in p.stderr,
              p.stderr)
finally:
    if failures:
        print(f"scratch directory kept for inspection: {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)

print(f"{'FAILED' if failures else 'ok'}: {len(failures)} failed check(s)")
sys.exit(1 if failures else 0)
