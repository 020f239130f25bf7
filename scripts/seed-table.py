#!/usr/bin/env python3
"""Training seeds side by side: one markdown table from several scripts/eval-seeds.sh outputs.

    scripts/seed-table.py ARM=runs/a-s0/eval-seeds/seeds.json ARM=runs/a-s1/eval-seeds/seeds.json ...

Each seeds.json holds one trained model's metrics per alpha, already averaged over the eval's
noise seeds. Files with the same ARM are that arm's training seeds. Printed: one row per model
at the alpha rule (the smallest alpha whose accuracy is >= 99%), then per arm and alpha the mean
over its training seeds with the min-max, so that a difference between arms can be read against
the spread between seeds of one arm."""
import json
import sys
from collections import OrderedDict

METRICS = ["fd_over_floor", "accuracy", "precision", "recall", "density", "coverage"]
HEAD = ["FD/floor", "acc %", "precision", "recall", "density", "coverage"]


def fmt(metric, v):
    return f"{100 * v:.2f}" if metric == "accuracy" else f"{v:.3f}" if metric != "fd_over_floor" else f"{v:.2f}"


def load(arg):
    if "=" not in arg:
        sys.exit(f"seed-table: '{arg}': expected ARM=PATH")
    arm, path = arg.split("=", 1)
    try:
        with open(path) as f:
            data = json.load(f)
        rows = {round(a["alpha"], 4): {m: a[m]["mean"] for m in METRICS if m in a} for a in data["alphas"]}
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"seed-table: {path}: not a scripts/eval-seeds.sh seeds.json ({e})")
    return arm, path, rows


def main(args):
    if not args:
        sys.exit(__doc__)
    models = [load(a) for a in args]
    arms = OrderedDict()
    for arm, path, rows in models:
        arms.setdefault(arm, []).append(rows)

    print("| arm | model | α (rule) | " + " | ".join(HEAD) + " |")
    print("|---" * (3 + len(HEAD)) + "|")
    for arm, path, rows in models:
        ok = [a for a in sorted(rows) if rows[a].get("accuracy", 0) >= 0.99]
        a = ok[0] if ok else max(rows)
        cells = [fmt(m, rows[a][m]) if m in rows[a] else "" for m in METRICS]
        print(f"| {arm} | {path.split('/eval-seeds')[0]} | {a:g}{'' if ok else ' (< 99%)'} | " + " | ".join(cells) + " |")

    print()
    print("| arm | seeds | α | " + " | ".join(HEAD) + " |")
    print("|---" * (3 + len(HEAD)) + "|")
    for arm, runs in arms.items():
        for a in sorted(set.intersection(*(set(r) for r in runs))):
            cells = []
            for m in METRICS:
                vs = [r[a][m] for r in runs if m in r[a]]
                if not vs:
                    cells.append("")
                    continue
                mean = sum(vs) / len(vs)
                cells.append(fmt(m, mean) + (f" ({fmt(m, min(vs))}–{fmt(m, max(vs))})" if len(vs) > 1 else ""))
            print(f"| {arm} | {len(runs)} | {a:g} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
