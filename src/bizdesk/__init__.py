"""bizdesk: run a small shop from one terminal."""

__version__ = "0.1.0"
