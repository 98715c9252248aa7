"""The demo shop's people: three employees (two on a monthly salary, one by the hour, one
of them started during the year), the payroll lines of the shop's country (as data: each
a percentage of gross against the chart's liability account), twelve monthly payroll runs
posted and paid, and a few leave requests; in the shop's language and currency."""

from __future__ import annotations

from datetime import date, timedelta

from bizdesk.db.session import Store
from bizdesk.services.crm import contacts as C
from bizdesk.services.people import employees as E
from bizdesk.services.people import leave as LV
from bizdesk.services.people import payroll as PR

# per demo locale: (name, job title, start (None: during the year), basis, pay, IBAN),
# the payroll lines (name, kind, percent of gross, liability account) and a leave note
PEOPLE = {
    "en_US": {
        "staff": [
            (
                "Emma Clarke",
                "Bicycle mechanic",
                "2021-03-01",
                "monthly",
                "2650",
                "DE89 3704 0044 0532 0130 00",
            ),
            (
                "Oliver Hughes",
                "Sales assistant",
                None,
                "monthly",
                "2180",
                "DE62 3704 0044 0532 0130 01",
            ),
            (
                "Sophie Turner",
                "Weekend help",
                "2024-05-01",
                "hourly",
                "14.50",
                "DE44 5001 0517 5407 3249 31",
            ),
        ],
        "lines": [
            ("Income tax withheld", "deduction", "12", "2310"),
            ("Employee social security", "deduction", "7.65", "2320"),
            ("Employer social security", "contribution", "7.65", "2320"),
        ],
        "note": "Family holiday",
    },
    "es_ES": {
        "staff": [
            (
                "Lucía Fernández Ruiz",
                "Mecánica de bicicletas",
                "2021-03-01",
                "monthly",
                "1850",
                "ES91 2100 0418 4502 0005 1332",
            ),
            (
                "Javier Morales Gil",
                "Dependiente",
                None,
                "monthly",
                "1520",
                "ES79 2100 0813 6101 2345 6789",
            ),
            (
                "Carmen Ortega Vidal",
                "Ayudante de fin de semana",
                "2024-05-01",
                "hourly",
                "11.50",
                "ES70 0049 1500 0105 1234 5678",
            ),
        ],
        "lines": [
            ("Retención IRPF", "deduction", "15", "4751"),
            ("Seguridad Social a cargo del trabajador", "deduction", "6.47", "476"),
            ("Seguridad Social a cargo de la empresa", "contribution", "31.4", "476"),
        ],
        "note": "Vacaciones de verano",
    },
    "ro_RO": {
        "staff": [
            (
                "Andreea Popescu",
                "Mecanic biciclete",
                "2021-03-01",
                "monthly",
                "5200",
                "RO49 AAAA 1B31 0075 9384 0000",
            ),
            ("Mihai Ionescu", "Vânzător", None, "monthly", "4300", "RO53 BTRL 0301 2029 4123 4561"),
            (
                "Ioana Dumitrescu",
                "Ajutor de weekend",
                "2024-05-01",
                "hourly",
                "32",
                "RO59 RNCB 0082 0444 5566 0001",
            ),
        ],
        "lines": [
            ("CAS (pensie) 25%", "deduction", "25", "431"),
            ("CASS (sănătate) 10%", "deduction", "10", "4314"),
            ("Impozit pe venit (10% din brut minus CAS și CASS)", "deduction", "6.5", "444"),
            ("CAM (contribuția asiguratorie pentru muncă)", "contribution", "2.25", "436"),
        ],
        "note": "Concediu de odihnă",
    },
    "vi_VN": {
        "staff": [
            ("Nguyễn Thị Lan", "Thợ sửa xe đạp", "2021-03-01", "monthly", "9500000", ""),
            ("Trần Văn Minh", "Nhân viên bán hàng", None, "monthly", "7800000", ""),
            ("Lê Thu Hà", "Nhân viên bán thời gian cuối tuần", "2024-05-01", "hourly", "35000", ""),
        ],
        "lines": [
            ("BHXH người lao động (8%)", "deduction", "8", "3383"),
            ("BHYT người lao động (1,5%)", "deduction", "1.5", "3384"),
            ("BHTN người lao động (1%)", "deduction", "1", "3386"),
            ("Thuế TNCN tạm khấu trừ", "deduction", "5", "3335"),
            ("BHXH doanh nghiệp đóng (17,5%)", "contribution", "17.5", "3383"),
            ("BHYT doanh nghiệp đóng (3%)", "contribution", "3", "3384"),
            ("BHTN doanh nghiệp đóng (1%)", "contribution", "1", "3386"),
        ],
        "note": "Nghỉ phép về quê",
    },
}
HOURS = ("46", "52.5", "40", "48", "55", "61.5", "64", "58", "44", "49.5", "42", "50")


def _months(today: date) -> list[date]:
    """The twelve months before ``today``'s, oldest first."""
    first = today.replace(day=1)
    out = []
    for _ in range(12):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]


def _monday(day: date) -> date:
    """The Monday of ``day``'s week, or the next one (a working day to start leave on)."""
    return day + timedelta(days=(7 - day.weekday()) % 7)


def generate(store: Store, shop: dict, today: date) -> dict[str, int]:
    data = PEOPLE.get(shop["locale"], PEOPLE["en_US"])
    months = _months(today)
    ids = []
    with store.write() as uow:
        E.set_default_leave_days(uow, "22")  # the shop's, each employee given them
        joined = months[3] + timedelta(days=15)  # a start inside a month: paid pro rata
        for name, job, start, basis, pay, iban in data["staff"]:
            saved = C.create(uow, C.ContactInput(name=name, kind="person", city=""))
            e = E.add(
                uow,
                E.EmployeeInput(
                    contact=f"#{saved.contact.id}",  # a customer may bear the same name
                    job_title=job,
                    start_date=start or joined.isoformat(),
                    pay_basis=basis,
                    pay=pay,
                    iban=iban,
                ),
            )
            ids.append(e.id)
        # the lines follow the chart (its accounts), the people the shop's language
        chart = {"es": "es_ES", "ro": "ro_RO", "vn": "vi_VN"}.get(uow.setting("chart"), "en_US")
        for name, kind, pct, account in PEOPLE[chart]["lines"]:
            PR.add_line(uow, PR.PayLineInput(name, kind, pct, "", account))
        hourly = ids[2]
        for i, month in enumerate(months):
            run = PR.create_run(uow, f"{month:%Y-%m}", {f"#{hourly}": HOURS[i]})
            PR.post(uow, run.id)
            paid_on = min(today, (month + timedelta(days=32)).replace(day=1))
            PR.pay(uow, run.id, "bank", when=paid_on)
        # leave: a summer vacation and a sick day taken, a vacation waiting for the owner
        summer = months[7]
        away = _monday(summer + timedelta(days=3))
        r = LV.request(uow, ids[0], "vacation", away, away + timedelta(days=11), data["note"])
        LV.approve(uow, r.id)
        r = LV.request(uow, ids[1], "sick", _monday(months[9] + timedelta(days=6)))
        LV.approve(uow, r.id)
        ahead = _monday(today + timedelta(days=21))
        LV.request(uow, ids[0], "vacation", ahead, ahead + timedelta(days=4), data["note"])
    return {"employees": len(ids), "payroll runs": len(months)}
