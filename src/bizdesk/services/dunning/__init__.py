"""Payment reminders (dunning): the shop's reminder levels and the reminders they produce."""
