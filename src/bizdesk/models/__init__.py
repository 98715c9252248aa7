"""SQLModel tables: the schema. Importing this package registers every table."""

from bizdesk.models.banking import BankLine, BankStatement
from bizdesk.models.contacts import Contact, ContactTag, Interaction
from bizdesk.models.core import AuditEvent, Setting, User
from bizdesk.models.deals import Deal, DealLine, PipelineStage
from bizdesk.models.ledger import Account, JournalEntry, JournalLine, Sequence
from bizdesk.models.mail import OutboxMessage
from bizdesk.models.making import AssemblyLine, AssemblyOrder, Bom, BomLine
from bizdesk.models.purchasing import PurchaseLine, PurchaseOrder, SupplierBill, SupplierPayment
from bizdesk.models.sales import CustomerPayment, Invoice, InvoiceLine, SalesLine, SalesOrder
from bizdesk.models.stock import Location, Product, StockMove
from bizdesk.models.tickets import Ticket, TicketComment, TicketEvent

__all__ = [
    "Account",
    "AssemblyLine",
    "AssemblyOrder",
    "AuditEvent",
    "BankLine",
    "BankStatement",
    "Bom",
    "BomLine",
    "Contact",
    "CustomerPayment",
    "Invoice",
    "InvoiceLine",
    "ContactTag",
    "Deal",
    "DealLine",
    "Interaction",
    "JournalEntry",
    "JournalLine",
    "Location",
    "OutboxMessage",
    "PipelineStage",
    "Product",
    "PurchaseLine",
    "PurchaseOrder",
    "SalesLine",
    "SalesOrder",
    "Sequence",
    "Setting",
    "StockMove",
    "SupplierBill",
    "SupplierPayment",
    "Ticket",
    "TicketComment",
    "TicketEvent",
    "User",
]
