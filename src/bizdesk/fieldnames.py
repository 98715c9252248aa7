"""The fields a service's refusal names, as the command line and the forms show them (a
form names so what it has no box for: "state", "days"): the field keys of
the services (identifiers, the same for every door: forms find their boxes by them) named in
the reader's language, as the screens' forms title them. English keeps the keys as they are
(its readers and scripts know them); a key not listed here is shown as it is."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bizdesk.errors import ValidationError
from bizdesk.i18n import N_, _, current_language, tr

# every field key the services name in a ValidationError (line keys: "line 2 debit")
TITLES = {
    "VAT %": N_("VAT %"),
    "account": N_("Account"),
    "active": N_("Active"),
    "activity": N_("Activity"),  # a nurturing step's (line 1 activity)
    "against": N_("Against account"),
    "at": N_("When"),  # an interaction's: when it happened
    "age_group": N_("Age group"),
    "allow_negative": N_("Allow negative stock"),
    "amount": N_("Amount"),
    "as_of": N_("As of"),
    "assignee": N_("Assignee"),
    "attribution_days": N_("Days attributed"),
    "bic": N_("BIC"),
    "bill_date": N_("Bill date"),
    "birth_date": N_("Birth date"),
    "body": N_("Text"),
    "bought": N_("Bought"),
    "bought_from": N_("Bought from"),
    "bought_to": N_("Bought until"),
    "by": N_("Grouped by"),
    "chart": N_("Chart of accounts"),
    "city": N_("City"),
    "code": N_("Code"),
    "company": N_("Company"),
    "components": N_("Components"),
    "consent_at": N_("Consent given on"),
    "consent_how": N_("How"),
    "contact": N_("Contact"),
    "cost": N_("Unit cost"),
    "counted": N_("Counted"),
    "country": N_("Country"),
    "credit": N_("Credit"),
    "currency": N_("Currency"),
    "customer": N_("Customer"),
    "date": N_("Date"),
    "day": N_("Day"),  # a nurturing step's days after entering the stage
    "days": N_("Working days"),
    "debit": N_("Debit"),
    "description": N_("Description"),
    "documents": N_("Documents"),
    "due": N_("Due"),
    "due_date": N_("Due"),
    "email": N_("Email"),
    "email_consent": N_("E-mail consent"),
    "employee": N_("Employee"),
    "employees": N_("Employees"),  # (a payroll run's: how many; those paid)
    "end": N_("End"),
    "end_date": N_("End"),
    "entity": N_("Kind"),
    "entity_id": N_("Record"),
    "entry": N_("Entry"),
    "expected_close": N_("Expected close"),
    "expected_date": N_("Expected"),
    "file": N_("File"),
    "frequency": N_("Every"),
    "from": N_("From"),
    "from_address": N_("Sender address"),
    "from_location": N_("From location"),
    "from_year": N_("From year"),
    "full_name": N_("Full name"),
    "gross": N_("Gross"),
    "headers": N_("Headers"),
    "host": N_("SMTP server"),
    "hours": N_("Hours"),
    "how": N_("How"),
    "iban": N_("IBAN"),
    "job_title": N_("Job title"),
    "key": N_("Key"),
    "kind": N_("Kind"),
    "labour": N_("Labour per unit"),
    "language": N_("Language"),
    "leave": N_("Leave"),
    "leave_days": N_("Leave days a year"),
    "line": N_("Line"),
    "lines": N_("Lines"),
    "link_id": N_("Linked document"),
    "link_kind": N_("Linked document kind"),
    "locale": N_("Locale"),
    "location": N_("Location"),
    "lock_date": N_("Lock date"),
    "memo": N_("Memo"),
    "month": N_("Month"),
    "name": N_("Name"),
    "net": N_("Net"),
    "next_activity": N_("Next activity"),
    "next_activity_due": N_("Next activity due"),
    "note": N_("Note"),
    "notes": N_("Notes"),
    "number": N_("Number"),
    "of": N_("Sales or purchases"),
    "order_date": N_("Order date"),
    "organization": N_("Organization"),
    "owner": N_("Owner"),
    "password_file": N_("Password file"),
    "path": N_("File"),
    "pay": N_("Salary or hourly rate"),
    "pay_basis": N_("Pay basis"),
    "payment_terms": N_("Payment terms"),
    "payslips": N_("Payslips"),
    "percent": N_("Percent"),
    "period": N_("Period"),
    "phone": N_("Phone"),
    "planned_date": N_("Planned date"),
    "port": N_("Port"),
    "priority": N_("Priority"),
    "probability": N_("Probability"),
    "product": N_("Product"),
    "qty": N_("Qty"),
    "queue": N_("Queue"),
    "reason": N_("Reason"),
    "reference": N_("Reference"),
    "region": N_("Region"),
    "reopen": N_("Reopen days locked before"),
    "reorder_point": N_("Reorder at (qty)"),
    "reorder_qty": N_("Reorder quantity"),
    "report": N_("Report"),
    "role": N_("Role"),
    "roles": N_("Roles"),
    "rules": N_("Rules"),
    "sale_price": N_("Sale price"),
    "section": N_("Section"),
    "security": N_("Security"),
    "segment": N_("Segment"),
    "sendmail": N_("sendmail program"),
    "side": N_("Customers or suppliers"),
    "since": N_("Period from"),
    "size": N_("Size"),
    "sku": N_("SKU"),
    "stage": N_("Stage"),
    "start": N_("Start"),
    "start_date": N_("Start"),
    "state": N_("State"),
    "statement": N_("Statement"),
    "status": N_("Status"),
    "stocked": N_("Stocked"),
    "subject": N_("Subject"),
    "summary": N_("Summary"),
    "supplier": N_("Supplier"),
    "supplier_id": N_("Supplier"),
    "tag": N_("Tag"),
    "tags": N_("Tags"),
    "terms": N_("Payment terms"),
    "timezone": N_("Time zone"),
    "title": N_("Title"),
    "to": N_("To"),
    "to_location": N_("To location"),
    "to_year": N_("To year"),
    "transport": N_("Transport"),
    "type": N_("Type"),
    "unit": N_("Unit"),
    "unit cost": N_("Unit cost"),
    "unit_cost": N_("Unit cost"),
    "unit price": N_("Unit price"),
    "until": N_("Period to"),
    "url": N_("Web address"),
    "user": N_("User"),
    "username": N_("User name"),
    "value": N_("Value"),
    "vat_id": N_("VAT id"),
    "vat_rate": N_("VAT %"),
    "vat_bp": N_("VAT %"),  # as the audit trail keeps it (a record's history)
    "version": N_("Version"),
    "view": N_("View"),
    "what to do": N_("What to do"),  # a nurturing step's
    "who": N_("Assignee"),  # followups list --who: whose follow-ups
    # a priority's support targets (sla set alta 2 x): the priority as `sla show` lists it
    "low": N_("low"),
    "normal": N_("normal"),
    "high": N_("high"),
    "urgent": N_("urgent"),
    # details the audit trail keeps under their column's name (a record's history)
    "archived": N_("Archived"),
    "close_reason": N_("Close reason"),
    "closed_at": N_("Closed"),
    "contributions": N_("Employer contributions"),
    "contact_id": N_("Contact"),
    "customer_id": N_("Customer"),
    "organization_id": N_("Organization"),
    "segment_id": N_("Segment"),
    "stage_id": N_("Stage"),
    "ticket_id": N_("Ticket"),
    "basis": N_("Pay basis"),
    "bill": N_("Bill"),
    "bom_version": N_("Bill of materials version"),
    "consumed": N_("Consumed"),
    "done": N_("Done"),
    "first_response_at": N_("First response"),
    "first_response_breached": N_("First response late"),
    "first_response_due": N_("First response due"),
    "is_customer": N_("Customer"),
    "is_supplier": N_("Supplier"),
    "merged_into_id": N_("Merged into"),
    "postcode": N_("Postcode"),
    "resolution_breached": N_("Resolution late"),
    "resolution_due": N_("Resolution due"),
    "resolution_remaining_s": N_("Resolution time left (seconds)"),
    "resolved_at": N_("Resolved on"),
    "source": N_("Source"),
    "street": N_("Street"),
    "vat": N_("VAT"),
}
_LINE = re.compile(r"line (\d+)(?: (.+))?")


def title(key: str) -> str:
    """A field key as the reader's forms name it; an unknown key as it is."""
    if key in TITLES:
        return _(TITLES[key])
    line = _LINE.fullmatch(key)
    if line is None:
        return key
    if line.group(2) is None:
        return _("line {n}").format(n=line.group(1))
    return _("line {n}, {field}").format(n=line.group(1), field=title(line.group(2)))


def refusal(exc: ValidationError, options: Mapping[str, str] | None = None) -> str:
    """A service's ValidationError as the command line says it: each field by the option
    the command took it from (``options``: a field key -> "--as-of"; see ``option_for``),
    else as the reader's forms name it. One whose sentence was written whole
    (``message=``: a file's problems, JSON paths) is said as it is."""
    if not exc._joined:  # errors.py: fields joined by it
        return str(exc)
    english = current_language() == "en"

    def named(key: str) -> str:
        found = option_for(key, options or {})
        return found or (key if english else title(key))

    return "; ".join(f"{named(k)}: {tr(v)}" if k else tr(v) for k, v in exc.fields.items())


def option_for(key: str, options: Mapping[str, str]) -> str | None:
    """The command's option for a service's field ``key``: the option of that name
    (as_of -> --as-of), else the one option whose name the key ends with, else starts
    with, at a word's edge (planned_date -> --date; attribution_days -> --days;
    pay_basis -> --basis beside --pay)."""
    if key in options:
        return options[key]
    # the key's last word names the thing first (pay_basis -> --basis, not --pay)
    for near in (
        [opt for name, opt in options.items() if key.endswith("_" + name)],
        [opt for name, opt in options.items() if key.startswith(name + "_")],
    ):
        if len(near) == 1:
            return near[0]
        if near:
            return None
    return None
