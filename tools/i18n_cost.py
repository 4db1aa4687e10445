"""What translation costs a /map rerun, measured side by side: CPU time of AppTest reruns per variant.

    python -m tools.i18n_cost [--rounds 5] [--reruns 10] [--baseline DIR]

Variants: this tree in English (`lang` omitted: gettext's null catalog, no Babel formatting), this tree in
Arabic, Russian and French (catalog look-ups, Babel dates and numbers, isolates, the chart locale), and with
`--baseline DIR`, a checkout of the code before the translation layer (e.g. `git archive <commit>`). Each
round runs every variant once, in a fresh process each, in turn, so machine load falls on all of them alike;
a process warms the page up twice, then times `--reruns` reruns of /map (same link) with
`time.process_time()` around `AppTest.run()`. Prints the median CPU ms per variant and the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
from streamlit.testing.v1 import AppTest
root, lang, reruns = sys.argv[1], sys.argv[2], int(sys.argv[3])
at = AppTest.from_file(os.path.join(root, "app.py"), default_timeout=120)
at.query_params["actor"] = "russia"
if lang != "en":
    at.query_params["lang"] = lang
at.run()
at.switch_page("pages/map.py").run()
at.run()
times = []
for _ in range(reruns):
    start = time.process_time()
    at.run()
    times.append((time.process_time() - start) * 1000)
assert not at.exception, [e.message for e in at.exception]
print(json.dumps(times))
"""


def measure(root: Path, lang: str, reruns: int, data: Path) -> list[float]:
    """CPU ms of `reruns` reruns of /map in a fresh process."""
    env = {"BASEWATCH_DATA_DIR": str(data), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(root), lang, str(reruns)], cwd=root, env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reruns", type=int, default=10)
    parser.add_argument("--baseline", type=Path, help="a checkout of the code before the translation layer")
    args = parser.parse_args(argv)
    variants = {"en": (ROOT, "en"), "ar": (ROOT, "ar"), "ru": (ROOT, "ru"), "fr": (ROOT, "fr")}
    if args.baseline:
        variants = {"before": (args.baseline, "en"), **variants}
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _round in range(args.rounds):
        for name, (root, lang) in variants.items():
            times[name] += measure(root, lang, args.reruns, ROOT / "data")
    medians = {name: statistics.median(values) for name, values in times.items()}
    reference = medians.get("before", medians["en"])
    for name, median in medians.items():
        print(f"{name:>6}: median {median:6.1f} ms CPU per /map rerun (n={len(times[name])}), "
              f"{median / reference:5.3f}× {'before' if 'before' in medians else 'en'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
