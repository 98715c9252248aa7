"""Keeping the store: users and their keys, set-up, checks, backups, the audit trail, moving to
PostgreSQL, drafts.
"""
