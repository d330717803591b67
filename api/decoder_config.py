"""The decoder configuration a deployment asked for (today: its trained learned fusion, if any)."""

from __future__ import annotations

from contracts.settings import Settings
from models.decoder import DecoderConfig


def decoder_config(settings: Settings) -> DecoderConfig | None:
    """None (the decoder's defaults) unless `learned_fusion_dir` is set; a bad folder raises.

    The learned-fusion store (and torch with it) is imported only when a folder is configured.
    """
    if settings.learned_fusion_dir is None:
        return None
    from models.fusion.learned_store import load_learned_fusion

    return DecoderConfig(learned=load_learned_fusion(settings.learned_fusion_dir))
