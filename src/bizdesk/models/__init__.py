"""SQLModel tables: the schema. Importing this package registers every table."""

from bizdesk.models.banking import BankLine, BankStatement
from bizdesk.models.budgets import Budget, SalesTarget
from bizdesk.models.contacts import Contact, ContactTag, Interaction
from bizdesk.models.core import AuditEvent, Setting, User
from bizdesk.models.deals import Deal, DealLine, PipelineStage
from bizdesk.models.dunning import Reminder, ReminderItem, ReminderLevel
from bizdesk.models.ledger import Account, JournalEntry, JournalLine, Sequence
from bizdesk.models.mail import OutboxMessage
from bizdesk.models.making import AssemblyLine, AssemblyOrder, Bom, BomLine, SalesKitLine
from bizdesk.models.marketing import Campaign, CampaignRecipient, EmailConsent, Segment
from bizdesk.models.nurture import FollowUp, NurtureSequence, NurtureStep
from bizdesk.models.people import (
    Employee,
    LeaveRequest,
    PayLine,
    PayrollRun,
    Payslip,
    PayslipItem,
)
from bizdesk.models.purchasing import PurchaseLine, PurchaseOrder, SupplierBill, SupplierPayment
from bizdesk.models.recurring import RecurringRun, RecurringTemplate
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
    "Budget",
    "Bom",
    "BomLine",
    "Campaign",
    "CampaignRecipient",
    "Contact",
    "CustomerPayment",
    "Invoice",
    "InvoiceLine",
    "ContactTag",
    "Deal",
    "FollowUp",
    "DealLine",
    "EmailConsent",
    "Interaction",
    "JournalEntry",
    "JournalLine",
    "Location",
    "NurtureSequence",
    "NurtureStep",
    "OutboxMessage",
    "PipelineStage",
    "Reminder",
    "ReminderItem",
    "ReminderLevel",
    "Product",
    "PurchaseLine",
    "PurchaseOrder",
    "RecurringRun",
    "RecurringTemplate",
    "SalesKitLine",
    "SalesLine",
    "SalesOrder",
    "SalesTarget",
    "Segment",
    "Sequence",
    "Setting",
    "StockMove",
    "SupplierBill",
    "SupplierPayment",
    "Ticket",
    "TicketComment",
    "TicketEvent",
    "User",
    "Employee",
    "LeaveRequest",
    "PayLine",
    "PayrollRun",
    "Payslip",
    "PayslipItem",
]
