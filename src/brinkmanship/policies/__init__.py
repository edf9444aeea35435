"""Decision-makers: every one implements :class:`brinkmanship.engine.policy.Policy`."""
