"""core's models live in their sub-packages; Django looks for them here."""

from core.exports.models import ExportJob

__all__ = ["ExportJob"]
