package sshsig

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"

	"golang.org/x/crypto/ssh"
)

const (
	magic      = "SSHSIG"
	version    = 1
	armorBegin = "-----BEGIN SSH SIGNATURE-----"
	armorEnd   = "-----END SSH SIGNATURE-----"
	armorWidth = 70
	signHash   = "sha512"
)

// Sign signs message for namespace with signer and returns the armored
// SSHSIG signature, as `ssh-keygen -Y sign -n namespace` would. The message
// is hashed with sha512; RSA keys sign with rsa-sha2-512, which requires the
// signer to implement ssh.AlgorithmSigner.
func Sign(signer ssh.Signer, namespace string, message []byte) ([]byte, error) {
	if signer == nil {
		return nil, errors.New("sign: no signer")
	}
	if namespace == "" {
		return nil, errors.New("sign: empty namespace")
	}
	pub := signer.PublicKey()
	data, err := signedData(namespace, signHash, message)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	var sig *ssh.Signature
	if isRSA(pub) {
		as, ok := signer.(ssh.AlgorithmSigner)
		if !ok {
			return nil, fmt.Errorf("sign: RSA signer %T cannot choose the rsa-sha2-512 algorithm (not an ssh.AlgorithmSigner)", signer)
		}
		sig, err = as.SignWithAlgorithm(rand.Reader, data, ssh.KeyAlgoRSASHA512)
	} else {
		sig, err = signer.Sign(rand.Reader, data)
	}
	if err != nil {
		return nil, fmt.Errorf("sign with %s key: %w", pub.Type(), err)
	}

	var blob []byte
	blob = append(blob, magic...)
	blob = binary.BigEndian.AppendUint32(blob, version)
	blob = appendString(blob, pub.Marshal())
	blob = appendString(blob, []byte(namespace))
	blob = appendString(blob, nil) // reserved
	blob = appendString(blob, []byte(signHash))
	blob = appendString(blob, ssh.Marshal(sig))
	return armor(blob), nil
}

// Verify checks an armored SSHSIG signature over message for namespace and
// returns the public key that made it. It checks the magic, the version,
// the namespace, the hash algorithm (sha256 or sha512) and the signature
// itself; whether the returned key may sign is the caller's decision
// (see Find).
func Verify(armored []byte, namespace string, message []byte) (ssh.PublicKey, error) {
	blob, err := dearmor(armored)
	if err != nil {
		return nil, fmt.Errorf("not an SSH signature: %w", err)
	}
	s, err := parseBlob(blob)
	if err != nil {
		return nil, fmt.Errorf("not an SSH signature: %w", err)
	}
	if s.version != version {
		return nil, fmt.Errorf("unsupported SSH signature version %d, want %d", s.version, version)
	}
	if s.namespace != namespace {
		return nil, fmt.Errorf("signature namespace is %q, want %q", s.namespace, namespace)
	}
	if s.hashAlg != "sha256" && s.hashAlg != "sha512" {
		return nil, fmt.Errorf("signature hash algorithm is %q, want sha256 or sha512", s.hashAlg)
	}
	key, err := ssh.ParsePublicKey(s.publicKey)
	if err != nil {
		return nil, fmt.Errorf("not an SSH signature: public key: %w", err)
	}
	sig, err := parseSignature(s.signature)
	if err != nil {
		return nil, fmt.Errorf("not an SSH signature: %w", err)
	}
	if isRSA(key) && sig.Format != ssh.KeyAlgoRSASHA512 && sig.Format != ssh.KeyAlgoRSASHA256 {
		return nil, fmt.Errorf("RSA signature algorithm %q is not allowed, want %s or %s", sig.Format, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256)
	}
	data, err := signedData(s.namespace, s.hashAlg, message)
	if err != nil {
		return nil, err
	}
	if err := key.Verify(data, sig); err != nil {
		return nil, fmt.Errorf("signature does not verify against the key it names (%s %s): %w", key.Type(), ssh.FingerprintSHA256(key), err)
	}
	return key, nil
}

// isRSA reports whether key is an RSA key or an RSA certificate.
func isRSA(key ssh.PublicKey) bool {
	if cert, ok := key.(*ssh.Certificate); ok {
		key = cert.Key
	}
	return key.Type() == ssh.KeyAlgoRSA
}

// signedData is the byte string the key signs: the magic preamble, the
// namespace, an empty reserved string, the hash algorithm and H(message).
func signedData(namespace, hashAlg string, message []byte) ([]byte, error) {
	var h hash.Hash
	switch hashAlg {
	case "sha256":
		h = sha256.New()
	case "sha512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unsupported hash algorithm %q", hashAlg)
	}
	h.Write(message)
	var b []byte
	b = append(b, magic...)
	b = appendString(b, []byte(namespace))
	b = appendString(b, nil)
	b = appendString(b, []byte(hashAlg))
	b = appendString(b, h.Sum(nil))
	return b, nil
}

func appendString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func armor(blob []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(blob)
	var b bytes.Buffer
	b.WriteString(armorBegin)
	b.WriteByte('\n')
	for len(enc) > armorWidth {
		b.WriteString(enc[:armorWidth])
		b.WriteByte('\n')
		enc = enc[armorWidth:]
	}
	b.WriteString(enc)
	b.WriteByte('\n')
	b.WriteString(armorEnd)
	b.WriteByte('\n')
	return b.Bytes()
}

func dearmor(armored []byte) ([]byte, error) {
	text := bytes.TrimSpace(armored)
	if !bytes.HasPrefix(text, []byte(armorBegin)) {
		return nil, fmt.Errorf("missing %q header", armorBegin)
	}
	text = text[len(armorBegin):]
	end := bytes.Index(text, []byte(armorEnd))
	if end < 0 {
		return nil, fmt.Errorf("missing %q footer", armorEnd)
	}
	if rest := bytes.TrimSpace(text[end+len(armorEnd):]); len(rest) != 0 {
		return nil, fmt.Errorf("unexpected text after %q", armorEnd)
	}
	body := bytes.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, text[:end])
	blob, err := base64.StdEncoding.DecodeString(string(body))
	if err != nil {
		return nil, fmt.Errorf("armor body: %w", err)
	}
	return blob, nil
}

type blobFields struct {
	version   uint32
	publicKey []byte
	namespace string
	hashAlg   string
	signature []byte
}

func parseBlob(blob []byte) (blobFields, error) {
	var f blobFields
	if !bytes.HasPrefix(blob, []byte(magic)) {
		return f, fmt.Errorf("missing %q magic", magic)
	}
	r := reader{b: blob[len(magic):]}
	f.version = r.uint32("version")
	f.publicKey = r.string("public key")
	f.namespace = string(r.string("namespace"))
	r.string("reserved") // ignored, as OpenSSH does
	f.hashAlg = string(r.string("hash algorithm"))
	f.signature = r.string("signature")
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d unexpected bytes after signature", len(r.b))
	}
	return f, r.err
}

// parseSignature reads an SSH signature blob: string format, string blob,
// and for security-key algorithms trailing flags and counter.
func parseSignature(b []byte) (*ssh.Signature, error) {
	r := reader{b: b}
	format := r.string("signature format")
	sigBlob := r.string("signature blob")
	if r.err != nil {
		return nil, r.err
	}
	return &ssh.Signature{Format: string(format), Blob: sigBlob, Rest: r.b}, nil
}

// reader reads SSH wire-format fields, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uint32(field string) uint32 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 4 {
		r.err = fmt.Errorf("truncated at %s", field)
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *reader) string(field string) []byte {
	n := r.uint32(field)
	if r.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(r.b)) {
		r.err = fmt.Errorf("truncated at %s: length %d, %d bytes left", field, n, len(r.b))
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}
