"""The services' foundations: field checks, paging, roles, record versions, numbering, CSV
plumbing. They use no other service.
"""
