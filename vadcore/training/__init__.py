"""Training and scoring loops: seeded, checkpointed into the run cache, resumable, with tqdm."""
