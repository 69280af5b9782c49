"""Geometry of the public pages' charts, drawn as inline SVG on the server (no script)."""
