"""Pictures of sessions and trends: PNG (matplotlib, Agg) and self-contained HTML."""

from api.plots.render import timeline_page as timeline_html
from api.plots.render import timeline_png_bytes as timeline_png
from api.plots.render import trend_page as trend_html
from api.plots.render import trend_png_bytes as trend_png

__all__ = ["timeline_html", "timeline_png", "trend_html", "trend_png"]
