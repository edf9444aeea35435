"""The built-in scenarios, one YAML file each (``brink show NAME``), and the one a tool
opens when it is given none."""

DEFAULT = "cuba-1962"
"""The scenario the environments and the new-game form start from."""
