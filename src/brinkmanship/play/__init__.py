"""Playing a side of a scenario: the game core, the debrief, and the terminal UI."""
