"""RAI Chat's LLM Engine: an OpenAI-compatible server in front of local and remote models."""
