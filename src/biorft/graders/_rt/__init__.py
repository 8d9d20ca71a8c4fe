"""The grader runtime: pure scoring logic, standard library only (RDKit imported lazily for molecules).

Every module in this package is embedded verbatim (in `MODULES` order) into the source that
[biorft.graders.Grader.to_source][biorft.graders.Grader.to_source] exports, so the in-process grader and the exported
OpenAI python grader run
the very same code. Rules for these modules:

- import only the standard library at module level (RDKit inside the functions that need it);
- refer to another runtime module only through a single-line ``from biorft.graders._rt.<module> import ...``
  statement, which the exporter removes (the exported file is one namespace);
- top-level names are unique across the modules (the exporter checks), so they carry no ``__all__`` of their own:
  they are private, and [`biorft.graders`][biorft.graders] re-exports what is public.
"""

from __future__ import annotations

__all__ = ["MODULES"]

MODULES: tuple[str, ...] = ("text", "inputs", "extract", "labels", "numbers", "molecules", "engine")
"""Runtime module names in dependency order."""
