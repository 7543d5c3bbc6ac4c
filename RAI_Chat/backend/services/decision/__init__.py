"""The decision step of a turn: which tool (if any) the user's message needs, decided from
the user's own message before the answer is written."""
