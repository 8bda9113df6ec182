// Package webhook delivers the chain of custody to each country's customs
// system by HTTP POST: for every configured subscriber (a country), every
// entry of the store's audit log that the country may see
// (audit.Sharing), in order, signed with HMAC-SHA256, retried with
// exponential backoff, at least once, and with an Idempotency-Key that
// is the same for every attempt so the receiver can drop duplicates.
// An entry that still fails after the maximum of attempts goes to the
// subscriber's dead-letter list and delivery moves on; an admin can
// replay dead letters.
//
// Entries are read from the audit log, not from the core, so only what is
// durable leaves. The progress of each subscriber (its cursor, dead
// letters and replays) is kept by the daemon as journal records (see
// daemon.Delivery): it survives a crash and a failover, and only the
// active fleetd delivers. Acknowledgements are batched (see
// Config.AckEvery): a crash loses at most that much progress, and the
// entries after the last acknowledgement are sent again, with the same
// Idempotency-Key.
//
// A receiver verifies a request with Verify or VerifyRequest (see
// sign.go for the scheme).
package webhook
