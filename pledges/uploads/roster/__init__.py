"""Roster import: an .xlsx of members is read, every row is checked, and only a clean file is
written, in one transaction.

Logins: a row with 登录账号 gets a user with a random initial password that is shown once on the
result page (to be handed over in person) and stored only as a hash. An unusable password would
leave the login dead, since nobody but an administrator could set it. Hashing is slow on purpose
(~0.3 s each), so one file may create at most MAX_LOGINS logins.

An existing member with the same name in the same organization is refused ("已存在"), never
updated: a roster file silently overwriting kinds or ID numbers would be hard to notice.
"""
