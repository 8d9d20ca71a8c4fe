"""The single source of biorft's version (read by the build backend and by ``biorft.__version__``)."""

__version__ = "0.2.0"
