"""Partners' writes and rules: webhook endpoints, the outbox relay, deliveries, partner organisations."""
