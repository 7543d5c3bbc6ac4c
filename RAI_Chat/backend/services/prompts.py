"""The system prompt."""

SYSTEM_PROMPT = (
    "You are RAI, a helpful, honest assistant. Answer clearly and concisely. Use Markdown "
    "for lists and code. If you do not know something, say so."
)

TITLE_PROMPT = (
    "Write a title of at most six words for a chat that starts with the message below. "
    "Answer with the title only, no quotes.\n\nMessage: {message}"
)
