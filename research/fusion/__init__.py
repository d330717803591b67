"""Learned-fusion training: the HGC models of `mindkg fusion train` and their evaluation
(the models and the runtime loading live in models.fusion)."""
