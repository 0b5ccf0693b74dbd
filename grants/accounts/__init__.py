"""Users, passwords, API tokens and sign-in limits."""
