"""Infrastructure under every stage: locks, SQLite settings, URLs, child servers, signals,
provenance. Imports no other part of sweeps but its errors."""
