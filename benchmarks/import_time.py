"""How long `import biorft` takes in a fresh interpreter (target: under 0.5 s).

Run: python benchmarks/import_time.py [--repeat N]
Writes benchmarks/results/import_time.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_S = 0.5


def measure(repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import biorft"], check=True)
        t1 = time.perf_counter()
        t_base0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        t_base1 = time.perf_counter()
        times.append((t1 - t0) - (t_base1 - t_base0))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    times = measure(args.repeat)
    med = statistics.median(times)
    verdict = "OK" if med < TARGET_S else "OVER TARGET"
    line = (
        f"import biorft: median {med * 1000:.1f} ms over {args.repeat} runs "
        f"(target < {TARGET_S * 1000:.0f} ms): {verdict}"
    )
    print(line)
    out = Path(__file__).parent / "results" / "import_time.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(f"# import time\n\n{line}\n\nPython {sys.version.split()[0]}\n")


if __name__ == "__main__":
    main()
