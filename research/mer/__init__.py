"""Micro-expression training and evaluation (the models themselves live in models.mer)."""
