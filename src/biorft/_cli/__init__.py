"""Sub-commands of the ``biorft`` command line, one module each (see :mod:`biorft.cli`)."""
