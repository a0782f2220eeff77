"""Views, split by area: children, team (care team and invitations), checklist."""
