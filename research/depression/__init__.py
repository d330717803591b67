"""Depression estimate training and evaluation on EATD (the shipped model lives in models.depression)."""
