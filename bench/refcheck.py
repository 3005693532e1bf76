#!/usr/bin/env python3
"""Check nianshen's one-to-one matching with the slow reference rule, key by key.

    python3 bench/refcheck.py DATA_DIR NIANSHEN_OUT_DIR [--peers-dir DIR]

The full reference (`reference_match.py DIR`) keeps every record in Python
objects. It peaked at 0.43 GiB for 1M calls, so 50M calls would need about
20 GiB (an estimate), too much for a 24 GiB machine. This check only runs it on the keys (caller, callee) where
nianshen left a record unmatched, which are the only keys where a matching can
pair more records than nianshen did. NIANSHEN_OUT_DIR must come from
`recon cdr --unmask --out DIR`, because masked numbers cannot be looked up.

Prints one JSON object. `differing_keys` is empty when the reference rule pairs
exactly as many records as nianshen on every such key. In that case no
one-to-one matching under the rule can have more pairs than nianshen, so a
truth.json that expects more is wrong. This check does not test the pairs on
keys where nianshen matched every record.
"""
import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

DEFAULT_PEERS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"


def unmatched_by_key(out_dir: Path) -> tuple[Counter, Counter]:
    """Counts nianshen's local-only and carrier-only records per (caller, callee)."""
    counts = []
    for name in ("local_only.csv", "carrier_only.csv"):
        per_key = Counter()
        with open(out_dir / name, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader)
            caller, callee = header.index("主叫号码"), header.index("被叫号码")
            for row in reader:
                if "*" in row[caller] or "*" in row[callee]:
                    raise SystemExit(f"{out_dir / name} has masked numbers: run recon cdr with --unmask")
                per_key[(row[caller], row[callee])] += 1
        counts.append(per_key)
    return counts[0], counts[1]


def read_keys(data_dir: Path, keys: set, epoch) -> tuple[dict, dict]:
    """Reads the records of the given keys as reference_match.py does: (time, talk, row)."""
    local, carrier = defaultdict(list), defaultdict(list)
    with open(data_dir / "local.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        h = next(reader)
        caller, callee, answer = h.index("caller"), h.index("callee"), h.index("answer_time")
        talk, disposition = h.index("duration_s"), h.index("disposition")
        for row_number, row in enumerate(reader, start=2):
            if row[disposition] == "ANSWERED" and (row[caller], row[callee]) in keys:
                t = epoch(row[answer], "%Y-%m-%d %H:%M:%S")
                local[(row[caller], row[callee])].append((t, int(row[talk]), row_number))
    with open(data_dir / "carrier.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        h = next(reader)
        caller, callee, start, talk = h.index("主叫号码"), h.index("被叫号码"), h.index("开始时间"), h.index("通话时长")
        for row_number, row in enumerate(reader, start=2):
            if (row[caller], row[callee]) in keys:
                t = epoch(row[start], "%Y%m%d%H%M%S")
                carrier[(row[caller], row[callee])].append((t, int(row[talk]), row_number))
    return local, carrier


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("out_dir", type=Path, help="the --out folder of `recon cdr --unmask`")
    ap.add_argument("--peers-dir", type=Path, default=DEFAULT_PEERS_DIR,
                    help=f"folder with reference_match.py [{DEFAULT_PEERS_DIR}]")
    args = ap.parse_args()
    sys.path.insert(0, str(args.peers_dir))
    import reference_match  # the rule's slow implementation, called as it is

    local_only, carrier_only = unmatched_by_key(args.out_dir)
    keys = set(local_only) | set(carrier_only)
    local, carrier = read_keys(args.data_dir, keys, reference_match.epoch)

    differing = []
    reference_pairs = nianshen_pairs = 0
    for key in sorted(keys):
        pairs = 0
        if local[key] and carrier[key]:
            pairs, _ = reference_match.match_key(local[key], carrier[key], 5, 1)
        from_local = len(local[key]) - local_only[key]
        from_carrier = len(carrier[key]) - carrier_only[key]
        reference_pairs += pairs
        nianshen_pairs += from_local
        if pairs != from_local or pairs != from_carrier:
            differing.append({"key": list(key), "reference_pairs": pairs,
                              "nianshen_pairs_by_local": from_local,
                              "nianshen_pairs_by_carrier": from_carrier,
                              "local": sorted(local[key]), "carrier": sorted(carrier[key])})
    print(json.dumps({"keys_checked": len(keys), "reference_pairs": reference_pairs,
                      "nianshen_pairs": nianshen_pairs, "differing_keys": differing[:50],
                      "differing_key_count": len(differing)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
