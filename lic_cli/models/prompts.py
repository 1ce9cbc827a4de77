"""The chat system prompt: what `lic chat` sends, and what causal-lm models are trained to answer to."""

DEFAULT_SYSTEM = "You are a helpful, concise customer-support assistant."


def system_prompt() -> str:
    return DEFAULT_SYSTEM
