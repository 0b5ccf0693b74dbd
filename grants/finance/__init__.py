"""Money spent and planned: expenditures, the co-financing split, the budget by cost category."""
