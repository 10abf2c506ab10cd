"""The référent's pages of the referential: quartiers, portrait figures, findings, enjeux,
objectives and avenants, edited in French forms; every write goes through ``services``."""
