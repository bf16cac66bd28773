"""The bitcoin price: providers, the published price (the median of the active ones), history."""
