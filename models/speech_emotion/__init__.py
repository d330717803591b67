"""Speech emotion: the attention-LSTM of paper 004 (MFCC/Fbank/spectrogram frames) and an
utterance-statistics floor, both trained on EmoDB (acted German speech, 7 speakers) and
cross-validated leave-one-speaker-out (MODEL_CARD.md). `runtime` scores audio with the
shipped weights; `research.speech_emotion.train` reproduces them. torch is imported only where
the LSTM runs.
"""
