"""Member units, their people and roles, and the bureau's approval of units."""
