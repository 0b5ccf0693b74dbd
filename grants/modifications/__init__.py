"""Project modifications (grozījumi) and the versions of the contract they make."""
