"""Training backends: OpenAI / Azure OpenAI RFT jobs and open trainers (TRL GRPO, verl)."""

__all__: list[str] = []  # a namespace: import biorft.backends.openai_rft or biorft.backends.trl
