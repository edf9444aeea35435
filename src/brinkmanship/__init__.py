"""brinkmanship: a simulator of nuclear crisis bargaining, grounded in the historical record."""

__version__ = "0.1.0"
"""The package's version; pyproject.toml reads it from here (one statement, and no
importlib.metadata look-up at start-up)."""

__all__ = ["__version__"]
