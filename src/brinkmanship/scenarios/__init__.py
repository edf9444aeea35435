"""The built-in scenarios, one YAML file each (``brink show NAME``), the order lists offer
them in, and the one a tool opens when it is given none."""

CATALOG = ("cuba-1962", "able-archer-1983", "petrov-1983", "standoff")
"""The built-in scenarios in the order a list offers them (the web's forms): the flagship
first, the invented test scenario last. Every built-in scenario is listed."""

DEFAULT = CATALOG[0]
"""The scenario the environments and the forms start from: the flagship."""
