"""The customer side's records: contacts and support tickets (with their business-hours clocks).
They never reach the books or the stock.
"""
