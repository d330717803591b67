"""Speech emotion: the attention-LSTM of paper 004 (MFCC/Fbank/spectrogram inputs).

No trained weights ship: no emotional speech corpus is available offline (MODEL_CARD.md).
The speech path keeps its prosody-based description as the default until a user trains
this model on their own licensed data (e.g. CHEAVD 2.0) with `train.py`.
"""

from models.speech_emotion.data import Clip, DatasetError, read_dataset
from models.speech_emotion.model import AttentionLSTM

__all__ = ["AttentionLSTM", "Clip", "DatasetError", "read_dataset"]
