"""Login protection, sessions and the security log (安全审计日志): a Django app of its own, so its
tables and migrations stay apart from the rest of core. Imports no domain app; where it needs to
know a user's organizations it calls the callables named in settings (`SECURITY_LOG_SCOPES`,
`SECURITY_LOG_USER_PATH`)."""
