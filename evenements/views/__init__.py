"""Thin views: public pages and calendars (public), registrations (inscriptions), staff (gestion)."""
