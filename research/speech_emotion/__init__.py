"""Speech-emotion training on EmoDB-layout folders (the shipped model lives in models.speech_emotion)."""
