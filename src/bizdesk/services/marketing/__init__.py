"""Marketing (DESIGN section 13): e-mail consent per contact (consent), saved segments
(segments) and campaigns sent through the outbox (campaigns)."""
