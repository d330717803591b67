"""A CJK font for matplotlib, when the machine has one (scripts/setup.sh installs Debian's
fonts-noto-cjk). Without one the pictures fall back to English-only labels instead of
drawing empty boxes for every Chinese character."""

from __future__ import annotations

import functools

from matplotlib import font_manager

PREFERRED = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Noto Sans CJK JP",
)
_HINTS = ("cjk", "wqy", "wenquanyi", "droidsansfallback", "uming", "ukai", "sourcehan")


def _known() -> set[str]:
    return {f.name for f in font_manager.fontManager.ttflist}


@functools.cache
def cjk_family() -> str | None:
    """Name of a CJK font family matplotlib can use, or None. A font cache written before the
    font was installed is topped up from the system font folders once."""
    names = _known()
    found = next((n for n in PREFERRED if n in names), None)
    if found is not None:
        return found
    for path in font_manager.findSystemFonts():
        if any(h in path.lower().replace("-", "").replace("_", "") for h in _HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    names = _known()
    return next((n for n in PREFERRED if n in names), None)


def families() -> list[str]:
    """rcParams font.family: DejaVu Sans for Latin and digits, the CJK font as fallback."""
    cjk = cjk_family()
    return ["DejaVu Sans", cjk] if cjk else ["DejaVu Sans"]


def bilingual(zh: str, en: str) -> str:
    """"zh en" where Chinese can be drawn, else the English alone."""
    return f"{zh} {en}" if cjk_family() else en


def drawable(text: str) -> bool:
    """False for text with CJK characters when no CJK font is available."""
    return cjk_family() is not None or all(ord(ch) < 0x2E80 for ch in text)
