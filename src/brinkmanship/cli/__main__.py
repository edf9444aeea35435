"""``python -m brinkmanship.cli``: the ``brink`` command line."""

from brinkmanship.cli import main

if __name__ == "__main__":
    main()
