"""The package's version, in a module of its own: pyproject.toml reads it from here (one
statement, and no importlib.metadata look-up at start-up), and modules below the Python API
import it from here, so importing it never runs the package's ``__init__`` into a loop."""

__version__ = "0.1.0"

__all__ = ["__version__"]
