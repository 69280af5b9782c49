"""Pledges prepared offline in Excel (导入承诺): the template a secretary fills in, and reading
that template, or the organization's own exported 承诺践诺台账, back in.

Every row is checked first; only a clean file is written, in one transaction, through the
pledge services. Template rows are new pledges (drafts through pledge_create), matched to the
book by owner and title so that a template uploaded twice is written once. Ledger rows are the
book's own pledges, identified by the 编号 the export writes (not by title: a 再承诺 keeps its
old title), including those of the organization's 党小组: a row identical to the book is left
alone, an edited content cell is written through pledge_update when the export's 版本 is still
the book's, and every other difference is refused with its reason.
"""
