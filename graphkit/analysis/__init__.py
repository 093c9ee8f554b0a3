"""Graph analytics with networkx: projections of the store, algorithms, results written back."""
