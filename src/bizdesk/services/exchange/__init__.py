"""Getting data in and out: CSV imports and exports of both sides."""
