"""How every document looks on paper: ONE layout, a ``PaperDoc`` drawn into PDF bytes with
fpdf2 and the DejaVu Sans font shipped beside this module (so Romanian ă ș ț and Vietnamese
ư ơ ế print on a machine without it).

A ``PaperDoc`` holds text only, already in the reader's language and the shop's number and
date formats (``services/papers/kinds.py`` makes them): the layout knows nothing of invoices,
orders or languages. A new kind of document (a reminder, a payslip) is a new ``PaperDoc``:

    the shop (name, address, VAT id, contact)         TITLE
                                                      number
                                                      facts (date, due date, order …)
    heading (To / Supplier)
    the party (name, address, VAT id)

    paragraphs before the table (a reminder's letter)
    ┌ the table: its columns and rows (document lines, or a statement's postings) ┐
    totals per VAT rate (a small table)                         totals (label  amount)
    terms (payment terms, notes)
    bank details (IBAN, BIC)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

FONT_DIR = Path(__file__).with_name("fonts")
FONT = "DejaVu"
MARGIN = 15  # mm, all round (A4)


@dataclass(frozen=True)
class Party:
    """One side of a document: a name and the lines under it (address, contact)."""

    name: str
    address: tuple[str, ...] = ()
    vat_id: str = ""  # shown after ``PaperDoc.vat_label``
    contact: tuple[str, ...] = ()  # e-mail, phone


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # a share of the table's width
    align: str = "LEFT"  # LEFT or RIGHT (amounts)


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    bold_last: bool = False  # a closing row (a statement's closing balance)


@dataclass(frozen=True)
class PaperDoc:
    title: str  # "Invoice", in the reader's language
    number: str  # "INV-00007"
    shop: Party
    party: Party
    party_heading: str = ""  # "Bill to", "Supplier"
    vat_label: str = "VAT id"
    facts: tuple[tuple[str, str], ...] = ()  # ("Date", "1 Dec 2026"), ("Due date", …)
    intro: tuple[str, ...] = ()  # paragraphs before the table
    lines: Table | None = None
    rates: Table | None = None  # the totals per VAT rate
    totals: tuple[tuple[str, str], ...] = ()  # ("Net", "1,300.00") …; the last one bold
    terms: tuple[str, ...] = ()  # paragraphs after the totals: payment terms, notes
    bank_heading: str = ""
    bank: tuple[tuple[str, str], ...] = ()  # ("IBAN", "DE89 3704 …"), ("BIC", "COBADEFFXXX")
    page_label: str = "Page {page} of {pages}"  # with {page} and {pages}
    issued: datetime | None = None  # the PDF's creation date (same document, same bytes)
    author: str = field(default="")


def draw(doc: PaperDoc) -> bytes:
    """The document as PDF bytes (A4, portrait)."""
    from fpdf import FPDF
    from fpdf.enums import TableBordersLayout
    from fpdf.fonts import FontFace

    class _Pdf(FPDF):
        def normalize_text(self, text: str) -> str:
            # what the font cannot draw (an emoji typed in a line) is a visible "\ufffd":
            # fpdf2 left it out of the page and warned on stderr, under the command's output
            cmap = self.current_font.cmap
            if not all(ord(ch) in cmap or ch in "\n\r" for ch in text):
                text = "".join(ch if ord(ch) in cmap or ch in "\n\r" else "\ufffd" for ch in text)
            return super().normalize_text(text)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.set_text_color(110)
            shown = doc.page_label.format(page=self.page_no(), pages="{nb}")
            self.cell(0, 5, f"{doc.number} · {shown}", align="R")

    pdf = _Pdf(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{doc.title} {doc.number}")
    pdf.set_author(doc.author or doc.shop.name)
    pdf.set_creator("bizdesk")
    pdf.set_creation_date(doc.issued or datetime(2000, 1, 1, tzinfo=UTC))
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    half = width / 2

    # the shop, top left; the title, number and facts, top right
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(half, 6, doc.shop.name, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for text in _party_lines(doc.shop, doc.vat_label):
        pdf.multi_cell(half, 4.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    left_end = pdf.get_y()
    pdf.set_xy(MARGIN + half, top)
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(half, 8, doc.title, align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(half, 6, doc.number, align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for label, value in doc.facts:
        pdf.multi_cell(half, 4.5, f"{label}: {value}", align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(left_end, pdf.get_y()) + 8)

    # the party
    if doc.party_heading:
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(110)
        pdf.cell(0, 4, doc.party_heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(half, 5.5, doc.party.name, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for text in _party_lines(doc.party, doc.vat_label):
        pdf.multi_cell(half, 4.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    pdf.set_font(FONT, "", 9)
    for text in doc.intro:
        pdf.multi_cell(width, 4.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    def table(t: Table, w: float) -> None:
        shares = sum(c.width for c in t.columns)
        headings = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
        with pdf.table(
            width=w,
            col_widths=tuple(c.width / shares * w for c in t.columns),
            text_align=tuple(c.align for c in t.columns),
            align="LEFT",
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            headings_style=headings,
            line_height=5,
            padding=(0.8, 1.2),
        ) as tab:
            row = tab.row()
            for c in t.columns:
                row.cell(c.title)
            for i, cells in enumerate(t.rows):
                bold = t.bold_last and i == len(t.rows) - 1
                row = tab.row(style=FontFace(emphasis="BOLD") if bold else None)
                for cell in cells:
                    row.cell(cell)

    if doc.lines is not None:
        pdf.set_font(FONT, "", 8.5)
        table(doc.lines, width)
        pdf.ln(4)

    # totals per rate (left) and the totals (right), side by side when they fit
    start_page, start_y = pdf.page_no(), pdf.get_y()
    if doc.rates is not None and doc.rates.rows:
        pdf.set_font(FONT, "", 8)
        table(doc.rates, width * 0.55)
    rates_end = (pdf.page_no(), pdf.get_y())
    if doc.totals:
        if rates_end[0] == start_page:
            pdf.set_y(start_y)
        label_w, amount_w = width * 0.22, width * 0.18
        for i, (label, amount) in enumerate(doc.totals):
            last = i == len(doc.totals) - 1
            pdf.set_font(FONT, "B" if last else "", 10 if last else 9)
            pdf.set_x(MARGIN + width - label_w - amount_w)
            pdf.cell(label_w, 5.5, label, align="R")
            pdf.cell(amount_w, 5.5, amount, align="R", new_x="LMARGIN", new_y="NEXT")
        if rates_end[0] == pdf.page_no():
            pdf.set_y(max(pdf.get_y(), rates_end[1]))
    pdf.ln(6)

    pdf.set_font(FONT, "", 9)
    for text in doc.terms:
        pdf.multi_cell(width, 4.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    if doc.bank:
        pdf.ln(2)
        if doc.bank_heading:
            pdf.set_font(FONT, "B", 9)
            pdf.cell(0, 5, doc.bank_heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        # the labels' column as wide as the widest ("Tài khoản ngân hàng" ran into its value)
        room = max(22, *(pdf.get_string_width(label) + 3 for label, _value in doc.bank))
        for label, value in doc.bank:
            pdf.cell(room, 4.5, label)
            pdf.cell(0, 4.5, value, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _party_lines(p: Party, vat_label: str) -> list[str]:
    out = list(p.address)
    if p.vat_id:
        out.append(f"{vat_label}: {p.vat_id}")
    return out + list(p.contact)
