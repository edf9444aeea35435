"""``python -m brinkmanship``: the ``brink`` command line."""

from brinkmanship.cli import main

if __name__ == "__main__":
    main()
