"""Fail when a source file outgrows the line budget (800 lines; ops/ exempt).

Prints the largest files so growth is visible in every CI log.
"""

from __future__ import annotations

import sys
from pathlib import Path

BUDGET = 800
ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    sizes = []
    for path in sorted((ROOT / "kerax").rglob("*.py")):
        count = sum(1 for _ in path.open(encoding="utf-8"))
        sizes.append((count, path.relative_to(ROOT)))
    sizes.sort(reverse=True)
    total = sum(count for count, _ in sizes)
    print(f"kerax: {len(sizes)} files, {total} lines; largest:")
    for count, path in sizes[:5]:
        print(f"  {count:5d}  {path}")
    over = [(c, p) for c, p in sizes if c > BUDGET and "ops" not in p.parts]
    for count, path in over:
        print(f"over budget ({BUDGET}): {path} has {count} lines", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
