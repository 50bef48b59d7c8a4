"""Certificate pages, one module per audience."""
