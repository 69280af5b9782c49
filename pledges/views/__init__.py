"""The pledge book's pages and moves, by sub-area: `home` (start, organization, my pledges),
`entry` (entry page, bulk moves), `pledge` (detail, edit, amend, one view per move), `progress`
(记实, evidence), `roster` (member import). The office's Excel ledger is a background
export (pledges/exports.py)."""
