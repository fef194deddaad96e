package dev.tokenmetrics.receiver.ledger;

/** A session and model: what the metrics count by, and what they are reconciled with request rows by. */
record SessionModel(String sessionId, String model) {
}
