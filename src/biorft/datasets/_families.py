"""Gene families from gene symbols: the groups that the ``"family"`` split and folds keep in one part.

No HGNC gene-group table ships offline under a licence biorft can bundle, so families come from a documented,
deterministic rule on the symbol alone (no data, no network):

1. Unnamed genes (clone-based names such as ``RP11-793H13.10`` or ``AL035078.4``) are families of their own.
2. A read-through gene (``MEF2BNB-MEF2B``, ``CCDC169-SOHLH2``: two symbols joined by ``-``) belongs to the families
   of both parts; the split joins those families into one group.
3. Otherwise the *root* is the leading letters of the symbol (``HOXB13`` -> ``HOXB``, ``NKX2-1`` -> ``NKX``) cut to
   its first three letters (``HOXB`` -> ``HOX``, ``FOXJ`` -> ``FOX``, ``NFIX`` -> ``NFI``, ``ARNTL`` -> ``ARN``).
   Cutting is coarser than any rule based on the leading letters, so no such family is ever split across parts.
4. Known families whose members do not share a root are merged (:data:`MERGED_FAMILIES`): every symbol that
   starts with ``Z`` (``ZNF``, ``ZSCAN``, ``ZKSCAN``, ``ZFP``, ``ZBTB``, ``ZIM``, ``ZIC``, ...: zinc-finger names),
   the nuclear receptors (``NR``, ``RAR``, ``RXR``, ``ROR``, ``ESR``, ``THR``, ``PPAR``, ...), ETS factors, SOX with
   SRY, KLF with SP, T-box genes, LIM homeobox genes, HES with HEY, and MITF with the TFE factors.

The rule errs on the side of merging: a coarser family costs some balance between parts, a finer one would let a
name-reading model carry a family's label from train into test.

Examples:
    >>> [gene_family(s) for s in ("ZNF263", "ZSCAN5A", "HOXB13", "HOXD9", "FOXP2", "NR2F2", "RARB", "SOX9")]
    ['ZNF', 'ZNF', 'HOX', 'HOX', 'FOX', 'NR', 'NR', 'SOX']
    >>> gene_family("MEF2BNB-MEF2B"), gene_family("CCDC169-SOHLH2"), gene_family("RP11-793H13.10")
    ('MEF', 'CCD|SOH', 'RP11-793H13.10')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "FAMILY_COLUMN",
    "MERGED_FAMILIES",
    "families_of",
    "family_groups",
    "family_keys",
    "gene_family",
    "shared_families",
]

FAMILY_COLUMN = "family"
"""Frame column of gene tasks holding each gene's family (``|``-joined when a read-through gene has two)."""

MERGED_FAMILIES: dict[str, tuple[str, ...]] = {
    "NR": ("NR", "RAR", "RXR", "ROR", "ESR", "THR", "PPA", "HNF", "VDR", "AR", "PGR"),
    "ETS": ("ETS", "ETV", "ELF", "ELK", "ERG", "FLI", "FEV", "SPI", "EHF", "SPD"),
    "SOX": ("SOX", "SRY"),
    "KLF": ("KLF", "SP"),
    "TBX": ("TBX", "EOM", "TBR"),
    "LHX": ("LHX", "LMX", "ISL"),
    "HES": ("HES", "HEY"),
    "MIT": ("MIT", "TFE"),
}
"""Family name -> the roots (first three leading letters) merged into it; all ``Z...`` symbols form ``ZNF``."""

_ROOT_TO_FAMILY = {root: fam for fam, roots in MERGED_FAMILIES.items() for root in roots}
_LETTERS = re.compile(r"^[A-Z]+")
_CLONE = re.compile(r"^(?:RP\d+|CT[ABCD])-|\.")
_READTHROUGH = re.compile(r"^([A-Z][A-Z0-9]*[A-Z0-9])-([A-Z]{2}[A-Z0-9]*)$")


def _root_family(symbol: str) -> str:
    m = _LETTERS.match(symbol)
    if not m:
        return symbol
    if symbol.startswith("Z"):
        return "ZNF"
    root = m.group(0)[:3]
    return _ROOT_TO_FAMILY.get(root, root)


def gene_family(symbol: str) -> str:
    """The family of a gene symbol (see the module docs for the rule).

    Args:
        symbol: A gene symbol (any case).

    Returns:
        The family name; a read-through gene returns its parts' families joined by ``|`` (one family when they
        agree).

    Examples:
        >>> gene_family("znf763"), gene_family("KLF6"), gene_family("SP140L"), gene_family("TBXT")
        ('ZNF', 'KLF', 'KLF', 'TBX')
    """
    s = symbol.strip().upper()
    if not s:
        return ""
    if _CLONE.search(s):
        return s
    rt = _READTHROUGH.match(s)
    if rt:
        parts = dict.fromkeys(_root_family(p) for p in rt.groups())
        return "|".join(parts)
    return _root_family(s)


def family_keys(family: str) -> tuple[str, ...]:
    """The families a ``family`` cell names (two for a read-through gene whose parts differ).

    Examples:
        >>> family_keys("CCD|SOH"), family_keys("ZNF")
        (('CCD', 'SOH'), ('ZNF',))
    """
    return tuple(k for k in family.split("|") if k)


def families_of(frame: pl.DataFrame) -> list[str]:
    """Each row's family: the frame's ``family`` column, or :func:`gene_family` of ``symbol`` (else ``entity``).

    Examples:
        >>> import polars as pl
        >>> families_of(pl.DataFrame({"symbol": ["HOXA1", "ZFP41"]}))
        ['HOX', 'ZNF']
    """
    if FAMILY_COLUMN in frame.columns:
        return [str(f or "") for f in frame[FAMILY_COLUMN].to_list()]
    col = "symbol" if "symbol" in frame.columns else "entity"
    return [gene_family(str(s or "")) for s in frame[col].to_list()]


def family_groups(families: Sequence[str]) -> dict[str, list[int]]:
    """Row indices grouped so that rows sharing any family are in one group (read-through genes join two).

    Args:
        families: One family cell per row (as from :func:`families_of`).

    Returns:
        ``{group name: sorted row indices}``; a group's name is its families joined by ``+`` in sorted order.

    Examples:
        >>> family_groups(["HOX", "ZNF", "CCD|SOH", "SOH", "HOX", "CCD"])
        {'CCD+SOH': [2, 3, 5], 'HOX': [0, 4], 'ZNF': [1]}
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keys = [family_keys(f) or (f"<row {i}>",) for i, f in enumerate(families)]
    for ks in keys:
        for k in ks[1:]:
            a, b = find(ks[0]), find(k)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[str, set[str]] = {}
    for ks in keys:
        for k in ks:
            members.setdefault(find(k), set()).add(k)
    groups: dict[str, list[int]] = {}
    for i, ks in enumerate(keys):
        groups.setdefault("+".join(sorted(members[find(ks[0])])), []).append(i)
    return dict(sorted(groups.items()))


def shared_families(parts: Iterable[Sequence[str]]) -> list[str]:
    """Families that occur in more than one of ``parts`` (each a sequence of family cells), sorted.

    Examples:
        >>> shared_families([["HOX", "ZNF"], ["SOX", "CCD|HOX"], ["FOX"]])
        ['HOX']
    """
    seen: dict[str, int] = {}
    out: set[str] = set()
    for p, cells in enumerate(parts):
        for cell in cells:
            for k in family_keys(cell):
                if seen.setdefault(k, p) != p:
                    out.add(k)
    return sorted(out)
