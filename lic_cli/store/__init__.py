"""The versioned dataset store: row identity, streaming reads, atomic versioned writes."""
