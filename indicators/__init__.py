"""Per-municipality indicators from the store, their exports and the HTML report."""
