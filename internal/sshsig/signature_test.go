package sshsig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

const testNamespace = "changegate"

var message = []byte("plan digest sha256:0123456789abcdef\n")

func ed25519Signer(t testing.TB) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var rsaOnce = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 3072) })

func rsaSigner(t testing.TB) ssh.Signer {
	t.Helper()
	key, err := rsaOnce()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignVerifyRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		signer func(testing.TB) ssh.Signer
		format string
	}{
		{"ed25519", ed25519Signer, ssh.KeyAlgoED25519},
		{"rsa-3072", rsaSigner, ssh.KeyAlgoRSASHA512},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signer := tc.signer(t)
			armored, err := Sign(signer, testNamespace, message)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			checkArmor(t, armored)
			key, err := Verify(armored, testNamespace, message)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !bytes.Equal(key.Marshal(), signer.PublicKey().Marshal()) {
				t.Errorf("Verify returned key %s, want %s", ssh.FingerprintSHA256(key), ssh.FingerprintSHA256(signer.PublicKey()))
			}
			blob, err := dearmor(armored)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parseBlob(blob)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := parseSignature(f.signature)
			if err != nil {
				t.Fatal(err)
			}
			if sig.Format != tc.format || f.hashAlg != "sha512" {
				t.Errorf("signature format %q hash %q, want %q sha512", sig.Format, f.hashAlg, tc.format)
			}
		})
	}
}

func checkArmor(t *testing.T, armored []byte) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(armored), "\n"), "\n")
	if lines[0] != armorBegin || lines[len(lines)-1] != armorEnd {
		t.Fatalf("armor lines %q..%q, want %q..%q", lines[0], lines[len(lines)-1], armorBegin, armorEnd)
	}
	for i, l := range lines[1 : len(lines)-1] {
		if len(l) > armorWidth || (i < len(lines)-3 && len(l) != armorWidth) {
			t.Errorf("armor body line %d has %d columns, want %d", i+1, len(l), armorWidth)
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	signer := ed25519Signer(t)
	good, err := Sign(signer, testNamespace, message)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := dearmor(good)
	if err != nil {
		t.Fatal(err)
	}
	rewrite := func(edit func(f *blobFields)) []byte {
		f, err := parseBlob(blob)
		if err != nil {
			t.Fatal(err)
		}
		edit(&f)
		var b []byte
		b = append(b, magic...)
		b = append(b, byte(f.version>>24), byte(f.version>>16), byte(f.version>>8), byte(f.version))
		b = appendString(b, f.publicKey)
		b = appendString(b, []byte(f.namespace))
		b = appendString(b, nil)
		b = appendString(b, []byte(f.hashAlg))
		b = appendString(b, f.signature)
		return armor(b)
	}
	sha256Sig := func() []byte {
		data, err := signedData(testNamespace, "sha256", message)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := signer.Sign(rand.Reader, data)
		if err != nil {
			t.Fatal(err)
		}
		return rewrite(func(f *blobFields) { f.hashAlg = "sha256"; f.signature = ssh.Marshal(sig) })
	}
	other := ed25519Signer(t)

	for _, tc := range []struct {
		name      string
		armored   []byte
		namespace string
		message   []byte
		want      string // substring of the error; "" means success
	}{
		{"good", good, testNamespace, message, ""},
		{"good crlf", bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), testNamespace, message, ""},
		{"good sha256", sha256Sig(), testNamespace, message, ""},
		{"tampered message", good, testNamespace, []byte("plan digest sha256:ffff\n"), "signature does not verify against the key it names"},
		{"wrong namespace", good, "git", message, `signature namespace is "changegate", want "git"`},
		{"empty", nil, testNamespace, message, "not an SSH signature: missing"},
		{"pgp", []byte("-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n"), testNamespace, message, "not an SSH signature: missing"},
		{"truncated armor", good[:len(good)/2], testNamespace, message, "not an SSH signature: missing"},
		{"truncated blob", armor(blob[:len(blob)-10]), testNamespace, message, "not an SSH signature: truncated at signature"},
		{"trailing bytes", armor(append(bytes.Clone(blob), 0)), testNamespace, message, "not an SSH signature: 1 unexpected bytes"},
		{"garbled base64", bytes.Replace(good, []byte("U1NIU0lH"), []byte("U1N!U0lH"), 1), testNamespace, message, "not an SSH signature: armor body"},
		{"text after footer", append(bytes.Clone(good), "junk\n"...), testNamespace, message, "unexpected text after"},
		{"bad magic", armor(append([]byte("SSHSIX"), blob[6:]...)), testNamespace, message, `missing "SSHSIG" magic`},
		{"version 2", rewrite(func(f *blobFields) { f.version = 2 }), testNamespace, message, "unsupported SSH signature version 2"},
		{"hash md5", rewrite(func(f *blobFields) { f.hashAlg = "md5" }), testNamespace, message, `hash algorithm is "md5"`},
		{"hash relabelled", rewrite(func(f *blobFields) { f.hashAlg = "sha256" }), testNamespace, message, "does not verify"},
		{"other key", rewrite(func(f *blobFields) { f.publicKey = other.PublicKey().Marshal() }), testNamespace, message, "does not verify"},
		{"garbage key", rewrite(func(f *blobFields) { f.publicKey = []byte("nope") }), testNamespace, message, "not an SSH signature: public key"},
		{"garbage signature", rewrite(func(f *blobFields) { f.signature = []byte{0, 0, 0, 9} }), testNamespace, message, "not an SSH signature: truncated at signature format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, err := Verify(tc.armored, tc.namespace, tc.message)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if !bytes.Equal(key.Marshal(), signer.PublicKey().Marshal()) {
					t.Errorf("Verify returned the wrong key")
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify succeeded, want error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Verify error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestVerifyRefusesSSHRSA checks that an RSA signature made with SHA-1
// (ssh-rsa) is refused, as OpenSSH refuses it.
func TestVerifyRefusesSSHRSA(t *testing.T) {
	signer := rsaSigner(t).(ssh.AlgorithmSigner)
	data, err := signedData(testNamespace, "sha512", message)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signer.SignWithAlgorithm(rand.Reader, data, ssh.KeyAlgoRSA)
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	b = append(b, magic...)
	b = append(b, 0, 0, 0, 1)
	b = appendString(b, signer.PublicKey().Marshal())
	b = appendString(b, []byte(testNamespace))
	b = appendString(b, nil)
	b = appendString(b, []byte("sha512"))
	b = appendString(b, ssh.Marshal(sig))
	_, err = Verify(armor(b), testNamespace, message)
	if err == nil || !strings.Contains(err.Error(), `RSA signature algorithm "ssh-rsa" is not allowed`) {
		t.Fatalf("Verify error %v, want ssh-rsa refused", err)
	}
}

func TestSignErrors(t *testing.T) {
	if _, err := Sign(ed25519Signer(t), "", message); err == nil || !strings.Contains(err.Error(), "empty namespace") {
		t.Errorf("Sign with empty namespace: %v, want empty namespace error", err)
	}
	if _, err := Sign(nil, testNamespace, message); err == nil {
		t.Error("Sign with nil signer succeeded")
	}
	if _, err := Sign(plainSigner{rsaSigner(t)}, testNamespace, message); err == nil || !strings.Contains(err.Error(), "rsa-sha2-512") {
		t.Errorf("Sign with non-algorithm RSA signer: %v, want rsa-sha2-512 error", err)
	}
}

// plainSigner hides the AlgorithmSigner methods of its embedded signer.
type plainSigner struct{ s ssh.Signer }

func (p plainSigner) PublicKey() ssh.PublicKey { return p.s.PublicKey() }
func (p plainSigner) Sign(r io.Reader, data []byte) (*ssh.Signature, error) {
	return p.s.Sign(r, data)
}

// TestVerifyGolden verifies a signature made by `ssh-keygen -Y sign`
// (OpenSSH 9.2) and kept in testdata, so it runs without ssh-keygen.
func TestVerifyGolden(t *testing.T) {
	msg := readFile(t, "testdata/message.txt")
	sig := readFile(t, "testdata/message.txt.sig")
	pub, _, _, _, err := ssh.ParseAuthorizedKey(readFile(t, "testdata/ed25519.pub"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := Verify(sig, testNamespace, msg)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !bytes.Equal(key.Marshal(), pub.Marshal()) {
		t.Errorf("Verify returned %s, want %s", ssh.FingerprintSHA256(key), ssh.FingerprintSHA256(pub))
	}
	if _, err := Verify(sig, "git", msg); err == nil {
		t.Error("Verify in namespace git succeeded")
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzVerify(f *testing.F) {
	signer := ed25519Signer(f)
	good, err := Sign(signer, testNamespace, message)
	if err != nil {
		f.Fatal(err)
	}
	blob, _ := dearmor(good)
	f.Add(good, testNamespace, message)
	f.Add(good[:40], testNamespace, message)
	f.Add([]byte(armorBegin+"\n"+base64.StdEncoding.EncodeToString(blob[:30])+"\n"+armorEnd), "git", []byte{})
	f.Add([]byte(armorBegin+"\nU1NIU0lH\n"+armorEnd), "", []byte("x"))
	f.Fuzz(func(t *testing.T, armored []byte, namespace string, msg []byte) {
		key, err := Verify(armored, namespace, msg)
		if err == nil && key == nil {
			t.Fatal("Verify returned neither key nor error")
		}
	})
}
