"""Documents a user uploads: checked by content, stored per user, extracted in the
background with their positions (page, heading), chunked and indexed in the same hybrid
search as the episodic archive (own tables), retrieved into a turn's prompt as data."""
