"""Pictures of sessions and trends: PNG (matplotlib, Agg) and self-contained HTML."""

from api.plots.render import timeline_html, timeline_png, trend_html, trend_png

__all__ = ["timeline_html", "timeline_png", "trend_html", "trend_png"]
