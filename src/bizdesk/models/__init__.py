"""SQLModel tables: the schema. Importing this package registers every table."""

from bizdesk.models.contacts import Contact, ContactTag, Interaction
from bizdesk.models.core import AuditEvent, Setting, User
from bizdesk.models.deals import Deal, DealLine, PipelineStage
from bizdesk.models.tickets import Ticket, TicketComment, TicketEvent

__all__ = [
    "AuditEvent",
    "Contact",
    "ContactTag",
    "Deal",
    "DealLine",
    "Interaction",
    "PipelineStage",
    "Setting",
    "Ticket",
    "TicketComment",
    "TicketEvent",
    "User",
]
