"""What pledges/ exports in the background (imported by PledgesConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.exports.registry import register

from .ledgers import pledge as ledger
from .ledgers.params import clean_org_period, export_org, export_title


def may_export_pledges(user, params: dict) -> bool:
    """Anyone who may see the organization: the rows are what he may see under it."""
    return export_org(user, params) is not None


register(
    "pledges",
    ledger.build,
    label=gettext_lazy("承诺践诺台账"),
    permission=may_export_pledges,
    clean=lambda params: clean_org_period(params, ("year",)),
    title=lambda params: export_title(params, ledger.ledger_title),
)
