"""E-mail: documents sent through the shop's SMTP server or the local ``sendmail``, from an
outbox that keeps every message until it is sent (DESIGN section 5, "Documents and e-mail").

- ``settings``: how to send (transport, server, security, user, sender), kept in the store;
  the SMTP password never is: it comes from a private file or BIZDESK_SMTP_PASSWORD.
- ``transport``: one message handed to the SMTP server or to ``sendmail``.
- ``outbox``: queue (inside the caller's transaction), claim, send outside any transaction,
  mark sent and log the interaction on the contact; ``deliver_due`` for whatever runs due
  work.
- ``documents``: a document (services.papers renders it) queued for its contact.
"""
