#!/usr/bin/env python3
"""clang-tidy over our .cc files in a compile_commands.json, with a result cache.

Used by tools/suites/05-lint.sh. Selects the translation units under backend/src and ml/src
(not *_test.cc unless --tests), runs clang-tidy with the repository's .clang-tidy on up to
--jobs of them at once, and prints every warning located in our code (backend/src, ml/src;
system and third-party headers never count), de-duplicated across translation units.

Cache: a unit's warnings are stored under --cache keyed by SHA-256 over the clang-tidy
version, .clang-tidy, the compile command, the unit's text and every header it includes
(from `ninja -t deps`: content for our headers, path + size + mtime for system ones). An
unchanged unit is not re-analysed, so a run after a small change takes seconds; cached
warnings still count. A unit ninja has no deps for yet is keyed on all of our headers.

The clang-analyzer-* checks of .clang-tidy run only with --analyzer (LINT_ANALYZER=1 in
05-lint.sh): they take about two thirds of the time, and a cold run of everything with them
takes ~20 minutes on the shared 2 cores, which does not fit `make test`.

Exit status: 0 when there is no warning, 1 when there is any, 2 when clang-tidy is missing
or the compile database cannot be read. Last line: "TIDY <units> <analysed> <warnings>".
"""
import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import time

WARN = re.compile(r"^(/[^:\n]+):(\d+):(\d+): (warning|error): (.*?)(?: \[([\w.,-]+)\])?$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path, ours, memo):
    if path in memo:
        return memo[path]
    try:
        if any(path.startswith(o) for o in ours):
            with open(path, "rb") as f:
                d = sha(f.read())
        else:
            st = os.stat(path)
            d = f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        d = "missing"
    memo[path] = d
    return d


def ninja_deps(build):
    """object path (relative to build) -> list of dependency paths."""
    try:
        out = subprocess.run(["ninja", "-C", build, "-t", "deps"], capture_output=True, text=True,
                             check=False).stdout
    except OSError:
        return {}
    deps, cur = {}, None
    for line in out.splitlines():
        if not line:
            continue
        if not line.startswith(" "):
            cur = line.split(":", 1)[0]
            deps[cur] = []
        elif cur is not None:
            deps[cur].append(line.strip())
    return deps


def output_of(entry):
    args = shlex.split(entry["command"]) if "command" in entry else entry["arguments"]
    for i, a in enumerate(args):
        if a == "-o" and i + 1 < len(args):
            return args[i + 1]
    return None


def run_tidy(tidy, build, unit, extra):
    t0 = time.time()
    p = subprocess.run([tidy, "-p", build, "--quiet", *extra, unit], capture_output=True,
                       text=True, check=False)
    found = []
    for line in ANSI.sub("", p.stdout + "\n" + p.stderr).splitlines():
        m = WARN.match(line)
        if m:
            path, ln, col, kind, msg, check = m.groups()
            found.append({"file": os.path.normpath(path), "line": int(ln), "col": int(col),
                          "kind": kind, "msg": msg, "check": check or "clang-diagnostic"})
    return unit, found, time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--tidy", default="clang-tidy")
    ap.add_argument("--tests", action="store_true", help="also lint *_test.cc")
    ap.add_argument("--analyzer", action="store_true",
                    help="keep the clang-analyzer-* checks (about 2/3 of the time; off by default)")
    a = ap.parse_args()

    root = os.path.realpath(a.root)
    ours = [os.path.join(root, "backend", "src") + "/", os.path.join(root, "ml", "src") + "/"]
    try:
        version = subprocess.run([a.tidy, "--version"], capture_output=True, text=True,
                                 check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        print(f"lint: {a.tidy} not found (apt-get install clang-tidy; tools/deps.sh lists it)")
        return 2
    try:
        with open(os.path.join(a.build, "compile_commands.json")) as f:
            db = json.load(f)
        with open(os.path.join(root, ".clang-tidy"), "rb") as f:
            config = f.read()
    except (OSError, ValueError) as e:
        print(f"lint: {e} (configure with CMAKE_EXPORT_COMPILE_COMMANDS=ON)")
        return 2

    extra = [] if a.analyzer else ["--checks=-clang-analyzer-*"]
    units = {}
    for e in db:
        path = os.path.normpath(os.path.join(e["directory"], e["file"]))
        if not path.endswith(".cc") or not any(path.startswith(o) for o in ours):
            continue
        if path.endswith("_test.cc") and not a.tests:
            continue
        units[path] = e
    deps = ninja_deps(a.build)
    memo = {}
    all_ours = None
    os.makedirs(a.cache, exist_ok=True)
    todo, results = [], {}
    for path, e in sorted(units.items()):
        h = hashlib.sha256()
        h.update(version.encode())
        h.update(config)
        h.update(" ".join(extra).encode())
        h.update(e.get("command", " ".join(e.get("arguments", []))).encode())
        h.update(file_digest(path, ours, memo).encode())
        obj = output_of(e)
        dl = deps.get(obj) if obj else None
        if not dl:
            if all_ours is None:
                all_ours = sorted(os.path.join(d, f) for o in ours for d, _, fs in os.walk(o)
                                  for f in fs if f.endswith(".h"))
            dl = all_ours
        for d in dl:
            h.update(d.encode())
            h.update(file_digest(os.path.normpath(d), ours, memo).encode())
        key = h.hexdigest()
        cached = os.path.join(a.cache, key + ".json")
        if os.path.exists(cached):
            with open(cached) as f:
                results[path] = json.load(f)
        else:
            todo.append((path, cached))

    t0 = time.time()
    if todo:
        print(f"lint: clang-tidy on {len(todo)} of {len(units)} units ({len(units) - len(todo)} cached), "
              f"{a.jobs} at a time", flush=True)
    with cf.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futs = {pool.submit(run_tidy, a.tidy, a.build, p, extra): c for p, c in todo}
        for fut in cf.as_completed(futs):
            unit, found, secs = fut.result()
            results[unit] = found
            tmp = futs[fut] + ".tmp"
            with open(tmp, "w") as f:
                json.dump(found, f)
            os.replace(tmp, futs[fut])
            print(f"  {os.path.relpath(unit, root)}: {len(found)} ({secs:.0f}s)", flush=True)

    seen, warnings = set(), []
    for unit in sorted(results):
        for w in results[unit]:
            if not any(w["file"].startswith(o) for o in ours):
                continue
            k = (w["file"], w["line"], w["col"], w["check"], w["msg"])
            if k in seen:
                continue
            seen.add(k)
            warnings.append(w)
    warnings.sort(key=lambda w: (w["file"], w["line"], w["col"]))
    for w in warnings:
        print(f"{os.path.relpath(w['file'], root)}:{w['line']}:{w['col']}: {w['kind']}: {w['msg']} [{w['check']}]")
    by = {}
    for w in warnings:
        by[w["check"]] = by.get(w["check"], 0) + 1
    for c, n in sorted(by.items(), key=lambda x: -x[1]):
        print(f"  {n:4d} {c}")
    mode = "with" if a.analyzer else "without"
    print(f"TIDY {len(units)} {len(todo)} {len(warnings)} ({time.time() - t0:.0f}s, {mode} clang-analyzer)")
    return 1 if warnings else 0


if __name__ == "__main__":
    sys.exit(main())
