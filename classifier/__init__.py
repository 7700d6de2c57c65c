"""Scores companies and job ads: digital affinity, startup status, AI-skill demand."""
