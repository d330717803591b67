"""Sentence-polarity training and cross-validation (the shipped model lives in kg.embed)."""
