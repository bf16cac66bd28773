"""HTTP entry points: the webhooks providers call (``lana serve``)."""
