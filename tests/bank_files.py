"""Bank statement files as banks write them, for the banking tests: a Spanish bank's CSV
export (latin-1, ';', decimal comma, dd/mm/yyyy) with its rules file, OFX in its SGML (v1)
and XML (v2) forms, and ISO 20022 CAMT.053 (versions 02 and 08)."""

from __future__ import annotations

RULES_ES = """\
# Banco Ejemplo: movimientos de la cuenta corriente
skip 1
separator ;
encoding latin-1
date-format %d/%m/%Y
decimal-mark ,
fields date, date2, description, amount, balance

if CAFETER[IÍ]A
  account2 6300
  memo café

if %description ^RECIBO LUZ
  account2 6200
  contact Iberdrola
"""


def csv_es(*rows: tuple[str, str, str, str, str]) -> bytes:
    """Fecha;Fecha valor;Concepto;Importe;Saldo, in latin-1."""
    lines = ["Fecha;Fecha valor;Concepto;Importe;Saldo"]
    lines += [";".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


NOVEMBER = (
    ("02/11/2026", "02/11/2026", "CAFETERÍA SOL", "-2,50", "1.997,50"),
    ("02/11/2026", "02/11/2026", "CAFETERÍA SOL", "-2,50", "1.995,00"),
    ("03/11/2026", "03/11/2026", "RECIBO LUZ NOVIEMBRE", "-84,12", "1.910,88"),
    ("05/11/2026", "04/11/2026", "TRANSFERENCIA DE CYCLE CLUB", "1.234,56", "3.145,44"),
)
LATER = (
    ("05/11/2026", "04/11/2026", "TRANSFERENCIA DE CYCLE CLUB", "1.234,56", "3.145,44"),
    ("09/11/2026", "09/11/2026", "CAFETERÍA SOL", "-2,50", "3.142,94"),
    ("10/11/2026", "10/11/2026", "COMISIÓN MANTENIMIENTO", "-6,00", "3.136,94"),
)


def ofx_v1(currency: str = "EUR") -> bytes:
    """OFX 1.02, SGML: no closing tags on values, as most banks still export it."""
    return f"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1>
<SONRS>
<STATUS>
<CODE>0
<SEVERITY>INFO
</STATUS>
<DTSERVER>20261130120000
<LANGUAGE>ENG
</SONRS>
</SIGNONMSGSRSV1>
<BANKMSGSRSV1>
<STMTTRNRS>
<TRNUID>1
<STATUS>
<CODE>0
<SEVERITY>INFO
</STATUS>
<STMTRS>
<CURDEF>{currency}
<BANKACCTFROM>
<BANKID>123456789
<ACCTID>00012345
<ACCTTYPE>CHECKING
</BANKACCTFROM>
<BANKTRANLIST>
<DTSTART>20261101
<DTEND>20261130
<STMTTRN>
<TRNTYPE>DEBIT
<DTPOSTED>20261105000000.000[-5:EST]
<TRNAMT>-45.90
<FITID>2026110501
<NAME>HARDWARE WHOLESALE
<MEMO>Card purchase 4411
</STMTTRN>
<STMTTRN>
<TRNTYPE>CREDIT
<DTPOSTED>20261107
<DTAVAIL>20261108
<TRNAMT>780.00
<FITID>2026110702
<NAME>CYCLE CLUB
<MEMO>INV-00001
</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL>
<BALAMT>1234.10
<DTASOF>20261130
</LEDGERBAL>
</STMTRS>
</STMTTRNRS>
</BANKMSGSRSV1>
</OFX>
""".replace("\n", "\r\n").encode("ascii")


def ofx_v2() -> bytes:
    """OFX 2.2, XML."""
    return b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
  <SIGNONMSGSRSV1>
    <SONRS>
      <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
      <DTSERVER>20261130120000</DTSERVER>
      <LANGUAGE>ENG</LANGUAGE>
    </SONRS>
  </SIGNONMSGSRSV1>
  <BANKMSGSRSV1>
    <STMTTRNRS>
      <TRNUID>2</TRNUID>
      <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
      <STMTRS>
        <CURDEF>EUR</CURDEF>
        <BANKACCTFROM>
          <BANKID>123456789</BANKID><ACCTID>00012345</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE>
        </BANKACCTFROM>
        <BANKTRANLIST>
          <DTSTART>20261101</DTSTART><DTEND>20261130</DTEND>
          <STMTTRN>
            <TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20261112</DTPOSTED><TRNAMT>-12.00</TRNAMT>
            <FITID>2026111203</FITID><NAME>PAPER SHOP</NAME>
          </STMTTRN>
          <STMTTRN>
            <TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20261107</DTPOSTED><TRNAMT>780.00</TRNAMT>
            <FITID>2026110702</FITID><NAME>CYCLE CLUB</NAME><MEMO>INV-00001</MEMO>
          </STMTTRN>
        </BANKTRANLIST>
        <LEDGERBAL><BALAMT>1222.10</BALAMT><DTASOF>20261130</DTASOF></LEDGERBAL>
      </STMTRS>
    </STMTTRNRS>
  </BANKMSGSRSV1>
</OFX>
"""


def camt053(version: str = "02", amount2: str = "250.00") -> bytes:
    """A day's statement: opening and closing balances, a customer's transfer in and a
    supplier paid out. Version 02 writes status and parties the old way, 08 the new."""
    status = "<Sts>BOOK</Sts>" if version == "02" else "<Sts><Cd>BOOK</Cd></Sts>"

    def party(name: str) -> str:
        return f"<Nm>{name}</Nm>" if version == "02" else f"<Pty><Nm>{name}</Nm></Pty>"

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-20261120</MsgId><CreDtTm>2026-11-20T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-20261120</Id>
      <CreDtTm>2026-11-20T18:00:00</CreDtTm>
      <Acct><Id><IBAN>RO49AAAA1B31007593840000</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2026-11-20</Dt></Dt>
      </Bal>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">1400.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2026-11-20</Dt></Dt>
      </Bal>
      <Ntry>
        <NtryRef>1</NtryRef>
        <Amt Ccy="EUR">650.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        {status}
        <BookgDt><Dt>2026-11-20</Dt></BookgDt>
        <ValDt><Dt>2026-11-20</Dt></ValDt>
        <AcctSvcrRef>BANKREF-0001</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties>
            <Dbtr>{party("Cycle Club Ltd")}</Dbtr>
            <DbtrAcct><Id><IBAN>GB33BUKB20201555555555</IBAN></Id></DbtrAcct>
          </RltdPties>
          <RmtInf><Ustrd>Payment INV-00002
            thank you</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>2</NtryRef>
        <Amt Ccy="EUR">{amount2}</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        {status}
        <BookgDt><Dt>2026-11-20</Dt></BookgDt>
        <AcctSvcrRef>BANKREF-0002</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <RltdPties><Cdtr>{party("Acme Supply")}</Cdtr></RltdPties>
          <RmtInf><Ustrd>Bill AC-77</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">99.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        {"<Sts>PDNG</Sts>" if version == "02" else "<Sts><Cd>PDNG</Cd></Sts>"}
        <BookgDt><Dt>2026-11-21</Dt></BookgDt>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()
