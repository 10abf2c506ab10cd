"""The référent's pages for consultations and instances, reached from the « Espace référent »."""
