"""Decision-makers: every one implements :class:`brinkmanship.policies.base.Policy`."""
