"""The municipality registry and company lists (CSV in, validated rows into the store)."""
