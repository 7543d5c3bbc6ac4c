"""Memory: the session's contextual window, the episodic archive, the user's facts."""
