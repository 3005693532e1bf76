#!/usr/bin/env python3
"""Side-by-side benchmark of `nianshen recon cdr` and the peer scripts.

    bench/compare.sh [SIZE ...] [options]        e.g.  bench/compare.sh 1m 10m 50m

For each size (1m = one million calls) this script

  1. reuses or writes a data set in DATA_ROOT/data-<size> (local.csv,
     carrier.csv, truth.json) with ../shared/bench/gen_cdr.py, or with
     `nianshen demo DIR --calls N` when the shared folder is absent;
  2. times nianshen's `recon cdr ... --json --no-cache --out DIR` and the
     peers (DuckDB, Polars, pandas up to 10M; Polars alone at 50M; no peer
     at 100M and above, where none fits in memory) in alternating rounds,
     each under `/usr/bin/time` for wall time and peak RSS;
  3. checks nianshen's one-to-one counts against truth.json;
  4. times two runs with the cache on, after `nianshen cache clear`;
  5. prints medians, ratios to the fastest peer and whether each performance
     target (speed, memory, exact counts, cache) is met, and
     writes results.json, results.md and runs.jsonl to the output folder.

Python 3.11 standard library only; the peers need duckdb, polars, pandas and
pyarrow. Nothing here opens a network connection. Every child process runs
under a time limit and a memory guard that kills it when the machine's
available memory falls under --min-free-gib.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

GIB = 1024**3
MIB = 1024**2
REPO = Path(__file__).resolve().parent.parent
PEERS_DIR_DEFAULT = REPO.parent / "shared" / "bench"
DATA_ROOT_DEFAULT = Path.home() / ".cache" / "nianshen-bench"
# Bytes of CSV per generated call (local + carrier), measured on gen_cdr.py
# output: 1.50 GB for 10M calls.
CSV_BYTES_PER_CALL = 150
# Peak RSS of a peer as a multiple of the CSV size: the peers peaked at 2.4 to
# 2.9 times it from 1M to 50M calls on a 2-core, 24 GiB machine.
PEER_RSS_FACTOR = {"duckdb": 2.6, "polars": 2.6, "pandas": 3.0}
BUILD_PROCESS_NAMES = {"cargo", "rustc", "clippy-driver", "rustdoc", "cargo-clippy"}
COUNTS = ("matched", "local_only", "carrier_only", "duration_mismatch")
TARGETS_TEXT = {
    "exact": "matched, local_only, carrier_only, duration_mismatch equal truth.json",
    "t_1m": "1M: nianshen <= 0.2 s",
    "t_10m": "10M: nianshen <= 1.5 s",
    "t_50m": "50M: nianshen <= 10 s and <= 2 GiB",
    "ratio": "10M and 50M: >= 4x faster than the fastest peer, <= 1/8 of its peak RSS",
    "t_100m": "100M: peak RSS <= 4 GiB, time per call <= 1.2x the 10M run's",
    "cache": "second run with the cache on >= 3x faster than the first",
}


# ----------------------------------------------------------------- helpers

def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def parse_size(text: str) -> tuple[str, int]:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"size {text!r}: use e.g. 500k, 1m, 10m, 100m or 250000")
    mult = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    calls = int(float(m.group(1)) * mult)
    if calls <= 0:
        raise argparse.ArgumentTypeError(f"size {text!r} is not positive")
    label = text.strip().lower() if m.group(2) else str(calls)
    return label, calls


def mem_available() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def mem_total() -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_busy_seconds() -> float:
    """Seconds of CPU time spent by the whole machine since boot (not idle)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def build_processes() -> list[str]:
    """Running compilers and cargo commands, found by process name.

    Process names are used rather than command lines: a command line may
    mention a cargo path (in an environment dump, say) without being a build.
    """
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            name = Path(entry.path, "comm").read_text().strip()
        except OSError:
            continue
        if name in BUILD_PROCESS_NAMES:
            found.append(f"{entry.name}:{name}")
    return found


def busy_reasons(max_cores: float) -> list[str]:
    """Lists what keeps the machine from being quiet: builds, or other CPU load.

    The load is sampled over one second; this process is nearly idle then.
    """
    reasons = build_processes()
    before = cpu_busy_seconds()
    time.sleep(1.0)
    cores = cpu_busy_seconds() - before
    if cores > max_cores:
        reasons.append(f"{cores:.1f} cores busy")
    return reasons


def wait_for_idle(limit_s: float, next_step: str, max_cores: float) -> list[str]:
    """Waits, for at most limit_s, until no build runs and the CPUs are nearly idle.

    Returns the reasons still standing at the end ([] when the machine is quiet).
    """
    start = time.monotonic()
    busy = busy_reasons(max_cores)
    if busy:
        log(f"  waiting for a quiet machine before {next_step} ({', '.join(busy[:4])})")
    while busy and time.monotonic() - start < limit_s:
        time.sleep(4)
        busy = busy_reasons(max_cores)
    if busy:
        log(f"  machine still busy after {limit_s:.0f} s: {', '.join(busy[:4])}")
    return busy


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_quiet(cmd: list[str], cwd: Path | None = None, timeout: float = 30) -> str:
    try:
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def evict_others(data_root: Path, keep: Path) -> int:
    """Drops the files of the other data sets under data_root from the page
    cache (Linux), so that a large set is not pushed out by a smaller one
    read often before it. Returns the bytes dropped."""
    dropped = 0
    if not hasattr(os, "posix_fadvise"):
        return dropped
    for d in data_root.glob("data-*"):
        if d.resolve() == keep.resolve() or not d.is_dir():
            continue
        for p in d.glob("*.csv"):
            try:
                fd = os.open(p, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                dropped += p.stat().st_size
            finally:
                os.close(fd)
    return dropped


def warm(paths: list[Path]) -> float:
    """Reads the files once so that the timed runs start from the page cache."""
    t0 = time.perf_counter()
    for p in paths:
        with open(p, "rb", buffering=0) as f:
            while f.read(8 << 20):
                pass
    return time.perf_counter() - t0


# ------------------------------------------------------------- one timed run

class Guard:
    """Kills a process group when free memory runs low."""

    def __init__(self, proc: subprocess.Popen, min_free: int):
        self.proc, self.min_free = proc, min_free
        self.killed = False
        self.lowest = mem_available()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while self.proc.poll() is None:
            free = mem_available()
            self.lowest = min(self.lowest, free)
            if free < self.min_free:
                self.killed = True
                kill_group(self.proc)
                return
            time.sleep(0.1)


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def timed(cmd: list[str], timeout: float, min_free: int, stdout_path: Path,
          env: dict | None = None) -> dict:
    """Runs cmd under /usr/bin/time; returns wall s, peak RSS and status."""
    time_file = stdout_path.with_suffix(".time")
    time_file.unlink(missing_ok=True)
    full = ["/usr/bin/time", "-f", "%e %M %U %S", "-o", str(time_file), "--", *cmd]
    busy_before = cpu_busy_seconds()
    with open(stdout_path, "wb") as out, open(stdout_path.with_suffix(".err"), "wb") as err:
        proc = subprocess.Popen(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env)
        guard = Guard(proc, min_free)
        try:
            proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            kill_group(proc)
            proc.wait()
            timed_out = True
        guard.thread.join()
    machine_cpu = cpu_busy_seconds() - busy_before
    rec = {"rc": proc.returncode, "wall_s": None, "rss_mib": None, "cpu_s": None,
           "other_cpu_s": None, "lowest_free_gib": round(guard.lowest / GIB, 2)}
    try:
        last = time_file.read_text().strip().splitlines()[-1].split()
        wall, rss_kib, user, system = float(last[0]), int(last[1]), float(last[2]), float(last[3])
        rec.update(wall_s=wall, rss_mib=round(rss_kib / 1024, 1), cpu_s=round(user + system, 2),
                   other_cpu_s=round(max(0.0, machine_cpu - user - system), 2))
    except (OSError, IndexError, ValueError):
        pass
    if timed_out:
        rec["status"] = f"timeout after {timeout:g} s"
    elif guard.killed:
        rec["status"] = f"killed: free memory under {min_free / GIB:.1f} GiB"
    elif proc.returncode != 0:
        tail = stdout_path.with_suffix(".err").read_bytes()[-400:].decode("utf-8", "replace")
        rec["status"] = f"exit {proc.returncode}: {tail.strip().splitlines()[-1] if tail.strip() else ''}"
    else:
        rec["status"] = "ok"
    return rec


# ----------------------------------------------------------------- data sets

class DataSetError(Exception):
    """A data set that cannot be used or written; the size is skipped."""


def ensure_data(label: str, calls: int, args, nianshen: Path | None) -> tuple[Path, dict]:
    root = args.data_root
    d = root / f"data-{label}"
    names = ("local.csv", "carrier.csv", "truth.json")
    if all((d / n).exists() for n in names):
        truth = json.loads((d / "truth.json").read_text())
        if truth.get("calls", calls) != calls:
            raise DataSetError(f"{d} contains {truth.get('calls')} calls, not {calls}: move it away first")
        for name, size in truth.get("files", {}).items():
            if (d / name).stat().st_size != size:
                raise DataSetError(f"{d / name} has {(d / name).stat().st_size} bytes and truth.json "
                                 f"expects {size}: delete {d} to write it again")
        log(f"  reusing {d}")
        return d, {"generator": "existing", "seconds": None}
    root.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(root).free
    need = calls * CSV_BYTES_PER_CALL
    if calls >= 100_000_000 and free < 40 * 10**9:
        raise DataSetError(f"not enough disk for {label}: it needs 40 GB free and {root} has "
                         f"{free / 10**9:.1f} GB")
    if free < 1.5 * need + 2 * 10**9:
        raise DataSetError(f"not enough disk for {label}: about {need / 10**9:.1f} GB of CSV and "
                         f"{root} has {free / 10**9:.1f} GB free")
    partial = root / f".partial-data-{label}"
    shutil.rmtree(partial, ignore_errors=True)
    gen = args.peers_dir / "gen_cdr.py"
    if gen.exists():
        cmd = [sys.executable, str(gen), "--calls", str(calls), "--out", str(partial)]
        generator = "gen_cdr.py"
    elif nianshen is not None:
        cmd = [str(nianshen), "demo", str(partial), "--calls", str(calls)]
        generator = "nianshen demo"
    else:
        raise DataSetError("no generator: neither gen_cdr.py nor a nianshen binary")
    log(f"  writing {label} ({calls:,} calls) with {generator} into {d}")
    limit = 120 + 6 * calls / 1e6
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              timeout=limit, text=True)
    except subprocess.TimeoutExpired:
        shutil.rmtree(partial, ignore_errors=True)
        raise DataSetError(f"{generator} took more than {limit:.0f} s for {label}")
    if done.returncode != 0 or not all((partial / n).exists() for n in names):
        shutil.rmtree(partial, ignore_errors=True)
        raise DataSetError(f"{generator} failed for {label}: {done.stderr.strip()[-600:]}")
    partial.rename(d)
    return d, {"generator": generator, "seconds": round(time.perf_counter() - t0, 1)}


# ------------------------------------------------------------ the binary

def find_binary(args) -> tuple[Path, dict]:
    env_bin = os.environ.get("NIANSHEN_BIN")
    if env_bin:
        src = Path(env_bin).resolve()
        origin = "NIANSHEN_BIN"
    else:
        src = REPO / "target" / "release" / "nianshen"
        origin = "target/release"
        if not args.no_build:
            busy = wait_for_idle(args.wait_idle, "building", float("inf"))
            if busy:
                log("  another build is still running; cargo will wait for its lock")
            log("  cargo build --release -p nianshen")
            try:
                done = subprocess.run(["cargo", "build", "--release", "-p", "nianshen"], cwd=REPO,
                                      timeout=args.build_timeout)
            except subprocess.TimeoutExpired:
                raise SystemExit(f"cargo build took more than {args.build_timeout:.0f} s")
            if done.returncode != 0:
                raise SystemExit("cargo build --release failed")
            origin = "cargo build --release"
    if not src.is_file():
        raise SystemExit(f"no nianshen binary at {src} (build it or set NIANSHEN_BIN)")
    # A copy, so that a build finishing during the benchmark cannot swap the
    # binary between two runs.
    snap = args.out / "nianshen"
    shutil.copy2(src, snap)
    git = lambda *a: run_quiet(["git", *a], cwd=REPO)
    info = {
        "path": str(src),
        "origin": origin,
        "sha256": sha256_file(snap),
        "built": dt.datetime.fromtimestamp(src.stat().st_mtime, dt.timezone.utc).isoformat(timespec="seconds"),
        "version": run_quiet([str(snap), "--version"]),
        "git_head": git("rev-parse", "HEAD"),
        "git_head_subject": git("log", "-1", "--format=%s"),
        "git_changes_in_crates": [l for l in git("status", "--porcelain", "--", "crates", "Cargo.toml",
                                                 "Cargo.lock").splitlines() if l],
    }
    return snap, info


def has_cache_clear(nianshen: Path) -> bool:
    try:
        done = subprocess.run([str(nianshen), "cache", "clear", "--help"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


# ---------------------------------------------------------------- engines

def peers_for(calls: int, args, csv_bytes: int) -> tuple[list[str], list[str]]:
    """Peers to run at this size, and messages about the ones left out."""
    notes = []
    if args.peers is not None:
        requested = [p for p in args.peers.split(",") if p]
    elif calls >= 100_000_000:
        requested = []
        notes.append("no peer at 100M and above: Polars and pandas need 2.4 to 2.9 times the CSV "
                     "size in memory (17 to 20 GiB for the 7.5 GB of 50M calls), so 15 GB of CSV does "
                     "not fit, and DuckDB only finishes by spilling to disk at its memory cap")
    elif calls >= 50_000_000:
        requested = ["polars"]
        notes.append("Polars alone at 50M: it is the fastest peer, and pandas needs over 20 GiB there")
    else:
        requested = ["duckdb", "polars", "pandas"]
    keep = []
    for p in requested:
        if p not in PEER_RSS_FACTOR:
            raise SystemExit(f"unknown peer {p!r}")
        if not (args.peers_dir / f"recon_{p}.py").exists():
            notes.append(f"{p}: {args.peers_dir}/recon_{p}.py not found")
            continue
        need = PEER_RSS_FACTOR[p] * csv_bytes
        if need > mem_available() - args.min_free_gib * GIB:
            notes.append(f"{p}: skipped, it would need about {need / GIB:.1f} GiB and "
                         f"{mem_available() / GIB:.1f} GiB is available")
            continue
        keep.append(p)
    return keep, notes


def nianshen_cmd(nianshen: Path, d: Path, out: Path, cache: bool) -> list[str]:
    cmd = [str(nianshen), "recon", "cdr", "--local", str(d / "local.csv"),
           "--carrier", str(d / "carrier.csv"), "--json"]
    if not cache:
        cmd.append("--no-cache")
    return cmd + ["--out", str(out)]


def nianshen_counts(stdout_path: Path) -> dict | None:
    try:
        res = json.loads(stdout_path.read_text())
    except (OSError, ValueError):
        return None
    if not all(k in res for k in COUNTS):
        return None
    return {k: res[k] for k in COUNTS}


def peer_counts(d: Path, peer: str) -> tuple[dict | None, str | None]:
    try:
        res = json.loads((d / f"result_{peer}.json").read_text())
        return {k: res["match"][k] for k in COUNTS}, res.get("version")
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


def diff_counts(got: dict | None, want: dict) -> dict:
    """Differences from the expected counts; {} when all four are equal."""
    if got is None:
        return {"unreadable output": 1}
    return {k: got[k] - want[k] for k in COUNTS if got[k] != want[k]}


# --------------------------------------------------------------- one size

def bench_size(label: str, calls: int, args, nianshen: Path, cache_clear: bool,
               runs_log) -> dict:
    log(f"== {label}")
    try:
        d, gen_info = ensure_data(label, calls, args, nianshen)
    except DataSetError as e:
        log(f"  skipping {label}: {e}")
        return {"label": label, "calls": calls, "notes": [f"{label} not timed: {e}"], "runs": [],
                "peers": [], "cache": None, "reference": None}
    truth = json.loads((d / "truth.json").read_text())
    expected = truth["expected_one_to_one"]
    files = [d / "local.csv", d / "carrier.csv"]
    csv_bytes = sum(p.stat().st_size for p in files)
    peers, notes = peers_for(calls, args, csv_bytes)
    for n in notes:
        log(f"  {n}")

    result = {"label": label, "calls": calls, "data_dir": str(d), "csv_bytes": csv_bytes,
              "data": gen_info, "expected": expected, "peers": peers, "notes": notes,
              "runs": [], "cache": None, "reference": None}

    if calls >= args.idle_from:
        busy = wait_for_idle(args.wait_idle, f"timing {label}", args.idle_cores)
        if busy and not args.ignore_busy:
            result["notes"].append(f"not timed: builds still running after {args.wait_idle:.0f} s")
            log(f"  skipping {label}: builds still running (--ignore-busy to time anyway)")
            return result

    dropped = evict_others(args.data_root, d)
    if dropped:
        log(f"  dropped {dropped / 1e9:.1f} GB of other data sets from the page cache")
    first_read = warm(files)
    t0 = time.perf_counter()
    warm(files)
    result["read_s"] = {"first": round(first_read, 3), "cached": round(time.perf_counter() - t0, 3)}
    log(f"  read both files: {first_read:.2f} s, again {result['read_s']['cached']:.2f} s")

    timeout = args.timeout or (120 + 12 * calls / 1e6)
    scratch = args.out / "scratch" / label
    scratch.mkdir(parents=True, exist_ok=True)
    out_dir = d / "nianshen-out"
    engines = ["nianshen", *peers]
    for round_no in range(1, args.runs + 1):
        # Rotate the order each round so that no engine always runs first.
        k = (round_no - 1) % len(engines)
        for engine in engines[k:] + engines[:k]:
            if calls >= args.idle_from:
                wait_for_idle(args.wait_idle, f"{engine} round {round_no}", args.idle_cores)
            warm(files)
            stdout_path = scratch / f"{engine}-{round_no}.out"
            if engine == "nianshen":
                shutil.rmtree(out_dir, ignore_errors=True)
                cmd = nianshen_cmd(nianshen, d, out_dir, cache=False)
            else:
                (d / f"result_{engine}.json").unlink(missing_ok=True)
                cmd = [sys.executable, str(args.peers_dir / f"recon_{engine}.py"), str(d)]
            busy = build_processes()
            rec = timed(cmd, timeout, int(args.min_free_gib * GIB), stdout_path)
            rec.update(size=label, engine=engine, round=round_no,
                       builds_running=busy or build_processes())
            if engine == "nianshen":
                rec["counts"] = nianshen_counts(stdout_path)
            else:
                rec["counts"], rec["version"] = peer_counts(d, engine)
            rec["diff_vs_truth"] = diff_counts(rec["counts"], expected)
            result["runs"].append(rec)
            runs_log.write(json.dumps(rec, ensure_ascii=False) + "\n")
            runs_log.flush()
            flag = ""
            if engine == "nianshen" and rec["status"] == "ok":
                flag = "  exact" if rec["diff_vs_truth"] == {} else f"  FAIL vs truth: {rec['diff_vs_truth']}"
            log(f"  {engine:8} round {round_no}: {rec['status']}, {rec['wall_s']} s, "
                f"{rec['rss_mib']} MiB{flag}" + (f"  (builds running: {len(rec['builds_running'])})"
                                                 if rec["builds_running"] else ""))
            if engine == "nianshen" and rec["status"] == "ok" and rec["counts"] is None:
                log("  FAIL: nianshen printed no readable JSON with the four counts")
    if (scratch / f"nianshen-{args.runs}.out").exists():
        shutil.copy2(scratch / f"nianshen-{args.runs}.out", args.out / f"nianshen-{label}.json")

    if args.no_cache_test:
        result["cache"] = {"skipped": "--no-cache-test"}
    elif not cache_clear:
        result["cache"] = {"skipped": "this nianshen has no `cache clear` command"}
        log("  cache: skipped, this nianshen has no `cache clear` command")
    else:
        result["cache"] = cache_runs(label, d, files, nianshen, args, timeout, scratch, expected)

    if args.reference:
        result["reference"] = reference_run(calls, d, nianshen, args, timeout * 10, scratch, expected)
    return result


def cache_runs(label, d, files, nianshen, args, timeout, scratch, expected) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(args.cache_home))
    clear = subprocess.run([str(nianshen), "cache", "clear"], env=env, capture_output=True,
                           text=True, timeout=600)
    if clear.returncode != 0:
        log(f"  cache: `nianshen cache clear` failed: {clear.stderr.strip()[-300:]}")
        return {"skipped": f"cache clear failed: {clear.stderr.strip()[-300:]}"}
    out = {}
    for run_name in ("first", "second"):
        warm(files)
        out_dir = d / "nianshen-out"
        shutil.rmtree(out_dir, ignore_errors=True)
        stdout_path = scratch / f"nianshen-cache-{run_name}.out"
        rec = timed(nianshen_cmd(nianshen, d, out_dir, cache=True), timeout,
                    int(args.min_free_gib * GIB), stdout_path, env=env)
        rec["counts"] = nianshen_counts(stdout_path)
        rec["diff_vs_truth"] = diff_counts(rec["counts"], expected)
        rec["builds_running"] = build_processes()
        out[run_name] = rec
        log(f"  cache {run_name}: {rec['status']}, {rec['wall_s']} s, {rec['rss_mib']} MiB")
    # Empty the cache again: at 50M calls it takes about 2 GB of disk.
    subprocess.run([str(nianshen), "cache", "clear"], env=env, capture_output=True, timeout=600)
    f, s = out["first"]["wall_s"], out["second"]["wall_s"]
    out["speedup"] = round(f / s, 2) if f and s else None
    return out


def reference_run(calls, d, nianshen, args, timeout, scratch, expected) -> dict:
    """Checks the counts with the slow reference rule: on the whole files up to
    --reference-full-max calls, and above that only on the keys where nianshen
    left records unmatched."""
    script = args.peers_dir / "reference_match.py"
    if not script.exists():
        return {"skipped": f"{script} not found"}
    min_free = int(args.min_free_gib * GIB)
    if calls <= args.reference_full_max:
        log("  reference_match.py on the whole files (slow)")
        rec = timed([sys.executable, str(script), str(d)], timeout, min_free, scratch / "reference.out")
        try:
            res = json.loads((scratch / "reference.out").read_text())
            rec["counts"] = {k: res[k] for k in COUNTS}
        except (OSError, ValueError, KeyError):
            rec["counts"] = None
        rec["diff_vs_truth"] = diff_counts(rec["counts"], expected)
        return rec

    log("  nianshen --unmask, then refcheck.py on the keys with unmatched records (slow)")
    unmasked = d / "nianshen-unmasked"
    shutil.rmtree(unmasked, ignore_errors=True)
    cmd = nianshen_cmd(nianshen, d, unmasked, cache=False) + ["--unmask"]
    first = timed(cmd, timeout, min_free, scratch / "nianshen-unmasked.out")
    if first["status"] != "ok":
        return {"skipped": f"nianshen --unmask: {first['status']}"}
    check = [sys.executable, str(Path(__file__).with_name("refcheck.py")), str(d), str(unmasked),
             "--peers-dir", str(args.peers_dir)]
    rec = timed(check, timeout, min_free, scratch / "refcheck.out")
    try:
        rec["keys"] = json.loads((scratch / "refcheck.out").read_text())
    except (OSError, ValueError):
        rec["keys"] = None
    shutil.rmtree(unmasked, ignore_errors=True)
    return rec


# --------------------------------------------------------------- summary

def summarise(size: dict) -> dict:
    per = {}
    for engine in ["nianshen", *size["peers"]]:
        runs = [r for r in size["runs"] if r["engine"] == engine]
        ok = [r for r in runs if r["status"] == "ok" and r["wall_s"] is not None]
        walls = [r["wall_s"] for r in ok]
        per[engine] = {
            "runs": len(runs), "ok": len(ok),
            "wall_s": round(statistics.median(walls), 3) if walls else None,
            "wall_min": min(walls) if walls else None,
            "wall_max": max(walls) if walls else None,
            "rss_mib": round(statistics.median(r["rss_mib"] for r in ok), 1) if ok else None,
            "failures": [r["status"] for r in runs if r["status"] != "ok"],
            "diff_vs_truth": [r["diff_vs_truth"] for r in ok],
            "version": next((r.get("version") for r in ok if r.get("version")), None),
            "other_cpu_s": max((r["other_cpu_s"] or 0) for r in ok) if ok else None,
        }
    n = per["nianshen"]
    timed_peers = [p for p in size["peers"] if per[p]["wall_s"]]
    fastest = min(timed_peers, key=lambda p: per[p]["wall_s"]) if timed_peers else None
    ratios = None
    if fastest and n["wall_s"] and n["rss_mib"]:
        ratios = {"fastest_peer": fastest,
                  "speed_x": round(per[fastest]["wall_s"] / n["wall_s"], 2),
                  "memory_x": round(per[fastest]["rss_mib"] / n["rss_mib"], 2)}
    diffs = n["diff_vs_truth"]
    exact = bool(diffs) and all(x == {} for x in diffs)
    return {"engines": per, "ratios": ratios, "exact": exact if diffs else None}


def judge_exact(size: dict, n: dict) -> tuple[str, bool]:
    """Judges nianshen's counts against truth.json, or against the reference rule
    where the reference was run and disagrees with truth.json (the reference wins)."""
    bad = [x for x in n["diff_vs_truth"] if x]
    if not bad:
        return "all runs equal truth.json", True
    ref = size.get("reference") or {}
    if ref.get("counts") and ref["diff_vs_truth"]:
        same = all(diff_counts(r["counts"], ref["counts"]) == {}
                   for r in size["runs"] if r["engine"] == "nianshen" and r["status"] == "ok")
        text = (f"differs from truth.json by {bad[0]}; reference_match.py differs from truth.json by "
                f"{ref['diff_vs_truth']} and nianshen {'equals' if same else 'differs from'} it")
        return text, same
    keys = ref.get("keys")
    if keys and len(set(json.dumps(x, sort_keys=True) for x in bad)) == 1:
        agree = keys["differing_key_count"] == 0 and keys["reference_pairs"] == keys["nianshen_pairs"]
        text = (f"differs from truth.json by {bad[0]}; on the {keys['keys_checked']:,} keys with unmatched "
                f"records the reference rule pairs {'as many records as' if agree else 'differently from'} "
                "nianshen")
        if agree and bad[0].get("matched", 0) < 0:
            return text + ", so truth.json expects more pairs than the rule allows", True
        return text, False
    return f"differs: {bad[0]}", False


def verdicts(sizes: list[dict]) -> list[dict]:
    """Lists each performance target with the measured value and whether it is met."""
    out = []
    by_calls = {s["calls"]: s for s in sizes if s.get("summary")}

    def add(target, label, measured, ok):
        verdict = {True: "met", False: "MISSED", None: "not judged"}[ok]
        out.append({"target": target, "size": label, "measured": measured, "verdict": verdict})

    for s in sizes:
        summ = s.get("summary")
        if not summ:
            continue
        n = summ["engines"]["nianshen"]
        if not n["wall_s"]:
            add("exact", s["label"], "no run finished: " + "; ".join(dict.fromkeys(n["failures"])), False)
            continue
        label, wall, rss = s["label"], n["wall_s"], n["rss_mib"]
        if summ["exact"] is not None:
            measured, ok = judge_exact(s, n)
            add("exact", label, measured, ok)
        if s["calls"] == 1_000_000:
            add("t_1m", label, f"{wall:.2f} s", wall <= 0.2)
        if s["calls"] == 10_000_000:
            add("t_10m", label, f"{wall:.2f} s", wall <= 1.5)
        if s["calls"] == 50_000_000:
            add("t_50m", label, f"{wall:.2f} s, {rss / 1024:.2f} GiB", wall <= 10 and rss <= 2048)
        if s["calls"] in (10_000_000, 50_000_000) and summ["ratios"]:
            r = summ["ratios"]
            add("ratio", label, f"speed {r['speed_x']}×, memory {r['memory_x']}× against {r['fastest_peer']}",
                r["speed_x"] >= 4 and r["memory_x"] >= 8)
        if s["calls"] >= 100_000_000:
            base = by_calls.get(10_000_000)
            bw = base and base["summary"]["engines"]["nianshen"]["wall_s"]
            if bw:
                per_call = (wall / s["calls"]) / (bw / 10_000_000)
                add("t_100m", label, f"{rss / 1024:.2f} GiB, time per call {per_call:.2f}x the 10M run's",
                    rss <= 4096 and per_call <= 1.2)
            else:
                add("t_100m", label, f"{rss / 1024:.2f} GiB; no 10M run in this benchmark to compare "
                    "the time per call with", None if rss <= 4096 else False)
        c = s.get("cache") or {}
        if c.get("speedup"):
            add("cache", label, f"{c['first']['wall_s']} s then {c['second']['wall_s']} s "
                f"({c['speedup']}x)", c["speedup"] >= 3)
    return out


def fmt(v, spec=".2f"):
    return "–" if v is None else format(v, spec)


def header_lines(report: dict) -> list[str]:
    m, b = report["machine"], report["nianshen"]
    tree = (f"uncommitted changes in {len(b['git_changes_in_crates'])} files of the build tree"
            if b["git_changes_in_crates"] else "build tree clean")
    return [f"# nianshen vs peers, {report['started']}", "",
            f"- Command: `{report['command']}`",
            f"- Machine: {m['host']}, {m['nproc']} cores ({m['cpu']}), {m['mem_gib']} GiB RAM, "
            f"kernel {m['kernel']}, data in {m['disk']}",
            f"- nianshen: {b['version']} at commit {b['git_head'][:12]} ({b['git_head_subject']}), "
            f"{tree}. Binary sha256 {b['sha256'][:12]}, built {b['built']}.",
            f"- Method: {report['runs']} round(s) per size with the engines alternating. Both files are "
            "read once before each run, so every run starts from a warm page cache. `/usr/bin/time` "
            "gives wall time and peak RSS, and the tables show medians.", ""]


def counts_check(engine: str, diffs: list[dict]) -> str:
    """Describes how an engine's counts differ from truth.json over its runs."""
    if not diffs:
        return "–"
    if all(x == {} for x in diffs):
        return "exact"
    first_wrong = next(x for x in diffs if x)
    text = ", ".join(f"{k} {v:+d}" for k, v in first_wrong.items())
    if engine == "nianshen":
        text = "FAIL " + text
    if len({json.dumps(x, sort_keys=True) for x in diffs}) > 1:
        text += " (varies by run)"
    return text


def engine_rows(report: dict) -> list[str]:
    lines = ["| calls | engine | median s | min / max s | peak RSS MiB | runs ok "
             "| one-to-one counts vs truth | CPU s of other processes (max in a run) |",
             "|---|---|---|---|---|---|---|---|"]
    for s in report["sizes"]:
        summ = s.get("summary")
        if not summ:
            lines.append(f"| {s['label']} | – | not timed | | | | {'; '.join(s['notes'])} | |")
            continue
        for engine, e in summ["engines"].items():
            name = engine + (f" {e['version']}" if e["version"] else "")
            fails = f" ({'; '.join(e['failures'])})" if e["failures"] else ""
            lines.append(f"| {s['label']} | {name} | {fmt(e['wall_s'])} | {fmt(e['wall_min'])} / "
                         f"{fmt(e['wall_max'])} | {fmt(e['rss_mib'], '.0f')} | {e['ok']}/{e['runs']}{fails} "
                         f"| {counts_check(engine, e['diff_vs_truth'])} | {fmt(e['other_cpu_s'], '.1f')} |")
    return lines


def ratio_rows(report: dict) -> list[str]:
    lines = ["| calls | fastest peer | nianshen speed × | nianshen memory × "
             "| cache: first / second s | reading both files, cached, s |",
             "|---|---|---|---|---|---|"]
    for s in report["sizes"]:
        summ = s.get("summary")
        if not summ:
            continue
        r = summ["ratios"] or {}
        c = s.get("cache") or {}
        if "first" in c:
            cache = f"{fmt(c['first']['wall_s'])} / {fmt(c['second']['wall_s'])} ({fmt(c.get('speedup'))}×)"
        else:
            cache = c.get("skipped", "–")
        lines.append(f"| {s['label']} | {r.get('fastest_peer', '–')} | {fmt(r.get('speed_x'))} | "
                     f"{fmt(r.get('memory_x'))} | {cache} | {fmt(s.get('read_s', {}).get('cached'), '.3f')} |")
    return lines


def markdown(report: dict) -> str:
    lines = header_lines(report) + engine_rows(report)
    lines += ["", "Speed × is the fastest peer's median time divided by nianshen's, and memory × the "
              "same for peak RSS: above 1 means nianshen is faster or leaner.", ""]
    lines += ratio_rows(report)

    notes = [n for s in report["sizes"] for n in s["notes"]]
    for s in report["sizes"]:
        ref = s.get("reference")
        if ref and "counts" in ref:
            notes.append(f"{s['label']}: reference_match.py gave {ref['counts']}, "
                         f"difference from truth.json {ref['diff_vs_truth'] or 'none'}")
        elif ref and ref.get("keys"):
            k = ref["keys"]
            notes.append(f"{s['label']}: on the {k['keys_checked']:,} keys where nianshen left records "
                         f"unmatched, the reference rule makes {k['reference_pairs']:,} pairs and nianshen "
                         f"{k['nianshen_pairs']:,}; {k['differing_key_count']} keys differ")
        elif ref and ref.get("skipped"):
            notes.append(f"{s['label']}: reference check skipped: {ref['skipped']}")
    if notes:
        lines += [""] + [f"- {n}" for n in dict.fromkeys(notes)]

    lines += ["", "| target | calls | measured | verdict |", "|---|---|---|---|"]
    for v in report["verdicts"]:
        lines.append(f"| {TARGETS_TEXT[v['target']]} | {v['size']} | {v['measured']} | **{v['verdict']}** |")

    runs = [r for s in report["sizes"] for r in s["runs"]]
    disturbed = [r for r in runs if r.get("builds_running")
                 or (r.get("other_cpu_s") or 0) > max(0.1, 0.25 * (r.get("wall_s") or 0))]
    if disturbed:
        lines += ["", f"Warning: in {len(disturbed)} of {len(runs)} runs a build was running or other "
                  "processes used more than a quarter of a core (and over 0.1 CPU s), so their times "
                  "are not clean."]
    return "\n".join(lines) + "\n"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"host": socket.gethostname(), "nproc": os.cpu_count(), "cpu": cpu,
            "mem_gib": round(mem_total() / GIB, 1), "kernel": platform.release(),
            "python": platform.python_version()}


# ------------------------------------------------------------------ main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sizes", nargs="*", default=["1m", "10m"], help="calls per data set [1m 10m]")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each engine [3]")
    ap.add_argument("--out", type=Path, help="results folder [bench/results/<date>-<host>]")
    ap.add_argument("--data-root", type=Path, default=DATA_ROOT_DEFAULT,
                    help=f"where data sets live [{DATA_ROOT_DEFAULT}]")
    ap.add_argument("--peers-dir", type=Path, default=PEERS_DIR_DEFAULT,
                    help=f"the shared peer scripts [{PEERS_DIR_DEFAULT}]")
    ap.add_argument("--peers", help="comma-separated peers to run at every size, overriding the "
                    "default (duckdb,polars,pandas up to 10M, polars at 50M, none at 100M); '' for none")
    ap.add_argument("--no-build", action="store_true", help="take target/release/nianshen as it is")
    ap.add_argument("--build-timeout", type=float, default=1800)
    ap.add_argument("--timeout", type=float, help="seconds per timed run [120 + 12 per million calls]")
    ap.add_argument("--min-free-gib", type=float, default=1.5,
                    help="kill a run when the machine's available memory falls under this [1.5]")
    ap.add_argument("--idle-from", type=lambda t: parse_size(t)[1], default=0,
                    help="from this size on, wait for a quiet machine (no cargo or rustc running, CPU "
                    "load under --idle-cores) before each timed run [every size]")
    ap.add_argument("--wait-idle", type=float, default=1800,
                    help="maximum wait for a quiet machine, in seconds; a size whose first run still "
                    "finds it busy is skipped unless --ignore-busy [1800]")
    ap.add_argument("--idle-cores", type=float, default=0.3,
                    help="CPU load, in cores, under which the machine counts as quiet [0.3]")
    ap.add_argument("--ignore-busy", action="store_true", help="time a size even when the machine stays busy")
    ap.add_argument("--no-cache-test", action="store_true", help="skip the two runs with the cache on")
    ap.add_argument("--cache-home", type=Path,
                    help="XDG_CACHE_HOME for the cache runs, so that `cache clear` leaves the "
                    "user's own cache alone [DATA_ROOT/cache-home]")
    ap.add_argument("--prepare", action="store_true",
                    help="only write the missing data sets, then stop")
    ap.add_argument("--reference", action="store_true",
                    help="also check the counts once per size with the slow reference rule")
    ap.add_argument("--reference-full-max", type=lambda t: parse_size(t)[1], default=10_000_000,
                    help="largest size for the whole-file reference_match.py, which needs about "
                    "0.45 GiB per million calls; larger sizes use refcheck.py [10m]")
    args = ap.parse_args()
    sizes = [parse_size(s) for s in args.sizes]
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    started = dt.datetime.now().astimezone()
    host = socket.gethostname()
    args.out = (args.out or REPO / "bench" / "results" / f"{started:%Y-%m-%d}-{host}").resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    args.data_root = args.data_root.expanduser().resolve()
    args.data_root.mkdir(parents=True, exist_ok=True)
    args.cache_home = (args.cache_home or args.data_root / "cache-home").expanduser().resolve()
    args.peers_dir = args.peers_dir.resolve()
    if not Path("/usr/bin/time").exists():
        raise SystemExit("/usr/bin/time (GNU time) is needed for wall time and peak RSS")

    if args.prepare:
        peers_there = (args.peers_dir / "gen_cdr.py").exists()
        gen_bin = None if peers_there else Path(os.environ.get("NIANSHEN_BIN", REPO / "target/release/nianshen"))
        for label, calls in sizes:
            try:
                d, info = ensure_data(label, calls, args, gen_bin)
            except DataSetError as e:
                log(f"{label}: {e}")
                continue
            log(f"{label}: {d} ({info['generator']}, {info['seconds']} s)")
        return 0
    nianshen, bin_info = find_binary(args)
    cache_clear = has_cache_clear(nianshen)
    m = machine()
    device = run_quiet(["df", "--output=source", str(args.data_root)]).splitlines()[-1:] or ["?"]
    m["disk"] = (f"{args.data_root} on {device[0]} "
                 f"({shutil.disk_usage(args.data_root).free / 10**9:.0f} GB free)")
    report = {"started": started.isoformat(timespec="seconds"),
              "command": " ".join(["bench/compare.sh", *sys.argv[1:]]),
              "runs": args.runs, "machine": m, "nianshen": bin_info, "sizes": []}
    with open(args.out / "runs.jsonl", "a") as runs_log:
        for label, calls in sizes:
            size = bench_size(label, calls, args, nianshen, cache_clear, runs_log)
            if size["runs"]:
                size["summary"] = summarise(size)
            report["sizes"].append(size)
    report["verdicts"] = verdicts(report["sizes"])
    report["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    for name in ("results.json", "results.md"):
        old = args.out / name
        if old.exists():
            stamp = dt.datetime.fromtimestamp(old.stat().st_mtime).strftime("%H%M%S")
            old.rename(old.with_name(f"{old.stem}-{stamp}{old.suffix}"))
    (args.out / "results.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    md = markdown(report)
    (args.out / "results.md").write_text(md)
    print(md)
    log(f"results in {args.out}")
    failed = [v["size"] for v in report["verdicts"] if v["target"] == "exact" and v["verdict"] != "met"]
    if failed:
        print(f"FAIL: nianshen did not give truth.json's one-to-one counts at {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
