"""Speech recognizers: content, intonation and speech rate as feature texts (issue 4).

Entry point: `analyze_speech`. See docs/speech.md for the features, the mapping tables
in data/speech_tables and the offline models used.
"""

from ingest.audio.analyze import SpeechAnalysis, analyze_speech
from ingest.audio.errors import AudioInputError

__all__ = ["AudioInputError", "SpeechAnalysis", "analyze_speech"]
