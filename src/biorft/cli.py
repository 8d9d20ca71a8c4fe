"""The ``biorft`` command line.

Exit codes: 0 success, 1 failure (one-line message on stderr; the traceback only with ``--debug``), 2 usage error.

Each sub-command lives in its own module under ``biorft._cli`` and exposes ``register(subparsers)``; the
module list below is the only place that names them, so adding a command touches one line here.

Examples:
    >>> main(["--version"])  # doctest: +ELLIPSIS
    biorft ...
    0
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from biorft._version import __version__
from biorft.errors import BiorftError

__all__ = ["build_parser", "main"]

# Sub-command modules, in the order they appear in --help. Each defines register(subparsers).
_COMMAND_MODULES: tuple[str, ...] = (
    "biorft._cli.tasks",
    "biorft._cli.show",
    "biorft._cli.build",
    "biorft._cli.eval",
    "biorft._cli.grade",
    "biorft._cli.report",
    "biorft._cli.curate",
    "biorft._cli.demo",
    "biorft._cli.validate",
    "biorft._cli.audit",
    "biorft._cli.rft",
)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors exit with status 2 and a one-line hint."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered sub-command.

    Returns:
        The top-level parser.

    Examples:
        >>> "tasks" in build_parser().format_help()
        True
    """
    parser = _Parser(
        prog="biorft",
        description="Reinforcement fine-tuning toolkit for biomedical reasoning tasks.",
    )
    parser.add_argument("--version", action="version", version=f"biorft {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns:
        0 on success, 1 on failure, 2 on a usage error.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return int(exc.code) if isinstance(exc.code, int) else 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code = args.func(args)
    except KeyboardInterrupt:
        sys.stderr.write("biorft: interrupted\n")
        return 130
    except BrokenPipeError:  # `biorft tasks | head`: the reader left; stop quietly (as the Python docs advise)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # one line for people, the traceback on --debug; never a key (the one redaction)
        from biorft._redact import env_secrets, redact

        secrets = env_secrets()
        if args.debug:
            sys.stderr.write(redact("".join(traceback.format_exception(exc)), secrets))
        kind = "error" if isinstance(exc, BiorftError) else f"unexpected error ({type(exc).__name__})"
        text = redact(str(exc), secrets).strip()
        message = text.splitlines()[0] if text else type(exc).__name__
        hint = "" if args.debug else " (rerun with --debug for the traceback)"
        sys.stderr.write(f"biorft: {kind}: {message}{hint}\n")
        return 1
    return int(code or 0)


def _entry() -> None:  # pragma: no cover - console-script shim
    raise SystemExit(main())


if __name__ == "__main__":  # pragma: no cover
    _entry()
