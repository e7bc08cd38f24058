"""Post-training: the tiny CPU model, the typed recipe, SFT -> GRPO -> export with verifier-backed rewards.

Light to import: torch, transformers and TRL are imported inside the functions that need them.
"""
