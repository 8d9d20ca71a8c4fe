"""Training backends: OpenAI / Azure OpenAI RFT jobs and open trainers (TRL GRPO, verl)."""
