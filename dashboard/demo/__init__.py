"""Demo data for `flask seed-demo`: a catalog, two customers and months of conversations."""
