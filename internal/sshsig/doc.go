// Package sshsig signs and verifies messages in OpenSSH's SSHSIG format,
// the armored "-----BEGIN SSH SIGNATURE-----" blobs produced by
// `ssh-keygen -Y sign` and used by git for SSH-signed commits
// (OpenSSH PROTOCOL.sshsig), and reads OpenSSH allowed_signers files
// (ssh-keygen(1), ALLOWED SIGNERS).
//
// Sign always hashes with sha512 and signs RSA keys with rsa-sha2-512.
// Verify accepts sha256 and sha512 and returns the key the signature names;
// it does not decide whether that key is trusted: look it up with Find in
// the signers from ParseAllowedSigners and check the principal and
// namespace yourself.
//
// It does not support certificate authorities (cert-authority) nor the
// valid-after/valid-before options: ParseAllowedSigners refuses such lines
// rather than silently ignoring a restriction. It does no I/O.
package sshsig
