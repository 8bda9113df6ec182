// Package audit is the chain of custody: for every container, who did what
// to it, when, where and why, as a hash chain that shows any later change.
//
// Each Entry carries the SHA-256 of its predecessor (Prev) and its own
// (Hash), so changing, removing, inserting or reordering any entry breaks
// the chain from that entry on; Verify finds the first break. The hash
// covers every field but Hash itself in a canonical encoding (see Canonical)
// that depends on no encoder's choices and so stays stable across Go
// versions.
//
// Entries are stored as JSON (Encode, Decode), one per audit record of a
// store.Store; the record's index equals the entry's Seq.
//
// Each country's customs gets an export (WriteExport, VerifyExport): the
// entries it may see (Sharing) in full, a stub of every other, and the
// head signed with the deployment's Ed25519 key (NewKey, KeyID), which
// it checks offline with the public key alone.
package audit
