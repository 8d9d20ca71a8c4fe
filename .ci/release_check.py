"""Check that a release tag matches the package and its changelog.

The tag ``vX.Y.Z`` must equal ``v`` + ``biorft.__version__``, and CHANGELOG.md must have a non-empty ``## X.Y.Z``
section below ``## Unreleased``.

Run: python .ci/release_check.py v0.2.0   (the release workflow passes the pushed tag)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def problems(tag: str, repo: Path = REPO) -> list[str]:
    """What is wrong with releasing ``tag`` from ``repo`` (empty when it can be released)."""
    text = (repo / "src" / "biorft" / "_version.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', text, flags=re.M)
    if match is None:
        return ['src/biorft/_version.py has no __version__ = "X.Y.Z" line']
    version = match.group(1)
    found = []
    if tag != f"v{version}":
        found.append(f"tag {tag!r} does not match the package version {version!r}: tag v{version}, or bump _version.py")
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", changelog, flags=re.M)
    names = [h.split(" ")[0] for h in headings]
    if version not in names:
        found.append(f"CHANGELOG.md has no '## {version}' section: move the Unreleased lines into one")
    elif "Unreleased" in names and names.index("Unreleased") > names.index(version):
        found.append(f"CHANGELOG.md: '## Unreleased' must come before '## {version}'")
    else:
        section = changelog.split(f"\n## {headings[names.index(version)]}\n")[1]
        if not re.search(r"^- ", section.split("\n## ")[0], flags=re.M):
            found.append(f"CHANGELOG.md: the '## {version}' section lists no change")
    return found


def main(argv: list[str]) -> int:
    """Print the problems and exit 1, or say the tag can be released."""
    if len(argv) != 1:
        print("usage: python .ci/release_check.py vX.Y.Z", file=sys.stderr)
        return 2
    found = problems(argv[0])
    for problem in found:
        print(f"release check: {problem}", file=sys.stderr)
    if not found:
        print(f"release check: {argv[0]} matches the package version and CHANGELOG.md")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
