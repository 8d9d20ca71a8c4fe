"""Sub-commands of the ``biorft`` command line, one module each (see [`biorft.cli`][biorft.cli])."""
