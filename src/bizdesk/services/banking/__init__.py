"""Banking: bank statements in (CSV with a rules file, OFX, ISO 20022 CAMT.053), each line
stored once, and what each open line may settle (DESIGN section 5, "Banking").

- ``reading``: the file's lines, read exactly (never a float, never a guessed decimal mark).
- ``csv_rules``: hledger-style CSV rules (skip, fields, date-format, decimal-mark, encoding,
  separator, ``if`` blocks).
- ``statements``: ``import_statement``, which stores the lines not already there.
- ``proposals``: for each unmatched line, the open invoices, bills and rule accounts that may
  match it, ranked (read-only: confirming a match is reconciliation's).
- ``findings``: what ``bizdesk check`` verifies about statement lines.
"""
