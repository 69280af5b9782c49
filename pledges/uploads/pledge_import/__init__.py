"""Pledges prepared offline in Excel (导入承诺): the template a secretary fills in, and reading
that template, or the branch's own exported 承诺践诺台账, back in.

Every row is checked first, with the pledge rules of services.pledge (content_problems); only a
clean file is written, in one transaction, as drafts through pledge_create. A row that matches a
pledge already in the book (same owner and title in the period, same content) is left alone and
counted, so the exported ledger uploaded again changes nothing and says so. A ledger never
creates or changes pledges: a ledger row that differs from the book is refused, because the
ledger also carries states and results that only the book's own moves may change.
"""
