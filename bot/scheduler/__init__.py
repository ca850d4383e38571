"""APScheduler wiring and the periodic jobs; every run claims (job, period) in JobRun first."""
