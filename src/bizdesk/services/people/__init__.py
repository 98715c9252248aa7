"""People: employees, their leave, and the monthly payroll (lines, runs, payslips)."""
