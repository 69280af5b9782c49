"""Login protection, sessions and the security log (安全审计日志): a Django app of its own, so its
tables and migrations stay apart from the rest of core. Imports no domain app; where it needs to
know a user's organizations it calls the two callables the domain registers
(`core.security.scopes.register`, from PledgesConfig.ready)."""
