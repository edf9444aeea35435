"""brinkmanship: a simulator of nuclear crisis bargaining, grounded in the historical record."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("brinkmanship")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
