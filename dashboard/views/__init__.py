"""What the Runs page shows for each kind of run; Compare and Sweeps reuse the pieces."""
