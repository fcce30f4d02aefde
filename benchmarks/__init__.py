"""Data generator and timing scripts; ``run.py`` runs every ``bench_*.py`` (DESIGN.md)."""
