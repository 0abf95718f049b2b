"""FinOps warehouse Python side: the `finops` CLI, landing loader, sample-data generator and checks."""
