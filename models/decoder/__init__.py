"""Graph-constrained beam-search decoding of the assessment text (issue 5).

`assess()` fuses a session's feature texts (models.fusion), then searches concept sequences
emotional state -> specific emotion -> depression level -> suicide risk -> recommendation
over graph concepts only, realises each in zh and en (models/decoder/templates.py) and
attaches every named concept as evidence with its graph path. Why not HF `generate`:
docs/decoder.md.
"""

from __future__ import annotations

from models.decoder.assess import DecoderConfig, DecodeResult, assess, decode

__all__ = ["DecodeResult", "DecoderConfig", "assess", "decode"]
