"""Research exports: writers, dataset card, pseudonymisation."""
