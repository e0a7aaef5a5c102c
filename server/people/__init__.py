"""People and places: users and their sessions, sign-in limits, sites, zones and staff."""
