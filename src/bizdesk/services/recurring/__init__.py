"""What repeats: recurring invoices and journal entries (templates.py), and what is due made
exactly once (due.py: ``bizdesk run-due`` and the interface's start)."""
