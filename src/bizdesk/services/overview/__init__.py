"""Reading across domains: the dashboard, reports, find-anything and a contact's whole story."""
