"""Primary and replica: writes, and reads not declared lag-tolerant, go to the primary
(`default`); reads inside `core.db.lag_tolerant()` go to `replica` when one is configured
(DATABASE_REPLICA_URL) and the user is not pinned to the primary after a write. The decision is
core.db.read_alias(); this class only hands it to Django."""

from __future__ import annotations

from core import db


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        return db.read_alias()

    def db_for_write(self, model, **hints) -> str:
        return db.PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica is a copy of the primary: an object read from either relates to any.
        return True

    def allow_migrate(self, alias: str, app_label: str, **hints) -> bool:
        # The replica replays the primary's schema; nothing is migrated on it.
        return alias == db.PRIMARY
