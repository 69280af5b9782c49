"""Every state change of the pledge book, one function each (`<entity>_<action>`), by sub-area:
`pledge` (the pledge's life), `progress` (记实), `entry` (the entry page's batch), `roster`
(member import), `office` (the office's admin group)."""
