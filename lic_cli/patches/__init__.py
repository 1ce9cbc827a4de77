"""Dataset patches: the reviewable file format, building patches from located edits,
applying them as new dataset versions, reverting, and rendering them for review."""
