"""Monte Carlo estimates, paired counterfactual comparisons and their statistics."""
