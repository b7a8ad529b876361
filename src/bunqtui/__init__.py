"""bunqtui: a keyboard-first terminal client for the bunq API."""

# Kept equal to pyproject.toml's version by tests/cli/test_startup.py. A literal, not
# importlib.metadata.version(): that lookup cost every command ~10 ms before any work.
__version__ = "0.1.0"
