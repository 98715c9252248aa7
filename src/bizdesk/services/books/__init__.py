"""The double-entry journal and the reports read from it."""
