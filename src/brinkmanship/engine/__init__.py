"""Simulation engines: the scalar reference engine, the batch engine and their randomness."""
