"""Read functions that compose querysets for one page or export each."""
