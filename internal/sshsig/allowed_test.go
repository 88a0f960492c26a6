package sshsig

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
)

// keyA is testdata/ed25519.pub; keyB is derived from a fixed seed.
const keyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJyfV8izajzP1WFPmOhfy3932NRUiaDmeFp7o5c/Iete"

func keyB(t testing.TB) string {
	t.Helper()
	pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)).Public())
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

func parseKeyText(t testing.TB, text string) ssh.PublicKey {
	t.Helper()
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signerView is an AllowedSigner with the key as text, for comparison.
type signerView struct {
	Principals []string
	Key        string
	Namespaces []string
	Line       int
}

func view(signers []AllowedSigner) []signerView {
	var out []signerView
	for _, s := range signers {
		out = append(out, signerView{s.Principals, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.Key))), s.Namespaces, s.Line})
	}
	return out
}

func TestParseAllowedSigners(t *testing.T) {
	b := keyB(t)
	for _, tc := range []struct {
		name    string
		data    string
		want    []signerView
		wantErr []string // substrings, each must appear
	}{
		{
			name: "one line",
			data: "alice@example.com " + keyA + "\n",
			want: []signerView{{[]string{"alice@example.com"}, keyA, nil, 1}},
		},
		{
			name: "comment after key, crlf, indentation",
			data: "  alice@example.com " + keyA + " alice laptop\r\n",
			want: []signerView{{[]string{"alice@example.com"}, keyA, nil, 1}},
		},
		{
			name: "comments and blank lines",
			data: "# team signers\n\n   \n  # indented comment\nalice@example.com " + keyA + "\n\nbob@example.com " + b + "\n",
			want: []signerView{
				{[]string{"alice@example.com"}, keyA, nil, 5},
				{[]string{"bob@example.com"}, b, nil, 7},
			},
		},
		{
			name: "multiple principals",
			data: "alice@example.com,*@ops.example.com " + keyA + "\n",
			want: []signerView{{[]string{"alice@example.com", "*@ops.example.com"}, keyA, nil, 1}},
		},
		{
			name: "quoted principals",
			data: `"alice@example.com,bob@example.com" ` + keyA,
			want: []signerView{{[]string{"alice@example.com", "bob@example.com"}, keyA, nil, 1}},
		},
		{
			name: "namespaces option",
			data: `alice@example.com namespaces="git,changegate" ` + keyA + "\n",
			want: []signerView{{[]string{"alice@example.com"}, keyA, []string{"git", "changegate"}, 1}},
		},
		{
			name: "namespaces option, upper case name",
			data: `alice@example.com NAMESPACES="changegate" ` + keyA,
			want: []signerView{{[]string{"alice@example.com"}, keyA, []string{"changegate"}, 1}},
		},
		{
			name:    "bad key base64",
			data:    "alice@example.com ssh-ed25519 AAAA!!!!\n",
			wantErr: []string{"signers:1: invalid ssh-ed25519 public key: base64"},
		},
		{
			name:    "bad key data",
			data:    "alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n",
			wantErr: []string{"signers:1: invalid ssh-ed25519 public key"},
		},
		{
			name:    "key type mismatch",
			data:    "alice@example.com ssh-rsa " + strings.Fields(keyA)[1],
			wantErr: []string{`signers:1: key type "ssh-rsa" does not match the key data, which is "ssh-ed25519"`},
		},
		{
			name:    "missing key",
			data:    "alice@example.com\n",
			wantErr: []string{"signers:1: missing public key"},
		},
		{
			name:    "unknown option",
			data:    `alice@example.com no-touch-required ` + keyA,
			wantErr: []string{`signers:1: unknown option "no-touch-required"`},
		},
		{
			name:    "cert-authority refused",
			data:    "# CA\n*@example.com cert-authority " + keyA,
			wantErr: []string{`signers:2: option "cert-authority" is not supported`},
		},
		{
			name:    "valid-before refused",
			data:    `alice@example.com valid-before="20300101" ` + keyA,
			wantErr: []string{`signers:1: option "valid-before" is not supported`},
		},
		{
			name:    "namespaces without value",
			data:    `alice@example.com namespaces ` + keyA,
			wantErr: []string{`signers:1: option "namespaces" needs a value`},
		},
		{
			name:    "namespaces unquoted",
			data:    `alice@example.com namespaces=git ` + keyA,
			wantErr: []string{`signers:1: option "namespaces": value must be double-quoted`},
		},
		{
			name:    "namespaces twice",
			data:    `alice@example.com namespaces="git",namespaces="x" ` + keyA,
			wantErr: []string{`signers:1: option "namespaces" given twice`},
		},
		{
			name:    "empty principal",
			data:    "alice@example.com,,bob " + keyA,
			wantErr: []string{"signers:1: empty principal"},
		},
		{
			name:    "unterminated quoted principals",
			data:    `"alice@example.com ` + keyA,
			wantErr: []string{"signers:1: unterminated quoted principals"},
		},
		{
			name: "every problem reported",
			data: "alice@example.com " + keyA + "\nbob@example.com cert-authority " + b + "\n# ok\ncarol@example.com ssh-ed25519 AAAA!!\n",
			wantErr: []string{
				`signers:2: option "cert-authority" is not supported`,
				"signers:4: invalid ssh-ed25519 public key",
			},
		},
		{name: "empty file", data: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseAllowedSigners("signers", []byte(tc.data))
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("ParseAllowedSigners succeeded, want errors %q", tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q, want it to contain %q", err, w)
					}
				}
				if n := strings.Count(err.Error(), "\n") + 1; n != len(tc.wantErr) {
					t.Errorf("error has %d lines, want %d:\n%v", n, len(tc.wantErr), err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAllowedSigners: %v", err)
			}
			if diff := cmp.Diff(tc.want, view(got)); diff != "" {
				t.Errorf("ParseAllowedSigners mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllows(t *testing.T) {
	for _, tc := range []struct {
		namespaces []string
		namespace  string
		want       bool
	}{
		{nil, "changegate", true},
		{[]string{"changegate"}, "changegate", true},
		{[]string{"git"}, "changegate", false},
		{[]string{"git", "changegate"}, "changegate", true},
		{[]string{"change*"}, "changegate", true},
		{[]string{"change?ate"}, "changegate", true},
		{[]string{"change?ate"}, "changeate", false},
		{[]string{"*", "!git"}, "git", false},
		{[]string{"*", "!git"}, "changegate", true},
		{[]string{"!git"}, "changegate", false},
		{[]string{"Changegate"}, "changegate", false},
	} {
		t.Run(fmt.Sprintf("%q in %q", tc.namespace, tc.namespaces), func(t *testing.T) {
			if got := (AllowedSigner{Namespaces: tc.namespaces}).Allows(tc.namespace); got != tc.want {
				t.Errorf("Allows = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	b := keyB(t)
	data := `alice@example.com namespaces="git" ` + keyA + "\n" +
		"alice@example.com " + b + "\n" +
		`bob@example.com namespaces="changegate" ` + keyA + "\n"
	signers, err := ParseAllowedSigners("signers", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	other, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize)).Public())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		key       ssh.PublicKey
		namespace string
		wantLine  int // 0: not found
	}{
		{"key A in git", parseKeyText(t, keyA), "git", 1},
		{"key A in changegate skips the git-only line", parseKeyText(t, keyA), "changegate", 3},
		{"key B in any namespace", parseKeyText(t, b), "changegate", 2},
		{"unknown key", other, "changegate", 0},
		{"key A in other namespace", parseKeyText(t, keyA), "file", 0},
		{"nil key", nil, "git", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := Find(signers, tc.key, tc.namespace)
			if tc.wantLine == 0 {
				if ok || s != nil {
					t.Fatalf("Find = line %v, want not found", s.Line)
				}
				return
			}
			if !ok || s.Line != tc.wantLine {
				t.Fatalf("Find = %v %v, want line %d", s, ok, tc.wantLine)
			}
		})
	}
}

// TestListedAndPrincipals: a key listed on several lines may sign as the
// principals of the lines that allow the namespace, and is known by the
// principals of every line.
func TestListedAndPrincipals(t *testing.T) {
	b := keyB(t)
	data := `alice@example.com namespaces="git" ` + keyA + "\n" +
		"carol@example.com " + b + "\n" +
		`bob@example.com,alice@example.com namespaces="changegate" ` + keyA + "\n"
	signers, err := ParseAllowedSigners("signers", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	a := parseKeyText(t, keyA)
	for _, tc := range []struct {
		name, namespace, principal string
		key                        ssh.PublicKey
		want                       bool
	}{
		{"second principal of a later line", "changegate", "alice@example.com", a, true},
		{"first principal", "changegate", "bob@example.com", a, true},
		{"a line for another namespace does not count", "file", "alice@example.com", a, false},
		{"principal of another key", "changegate", "carol@example.com", a, false},
		{"principals compare as written", "changegate", "Bob@example.com", a, false},
		{"nil key", "changegate", "bob@example.com", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Listed(signers, tc.key, tc.namespace, tc.principal); got != tc.want {
				t.Errorf("Listed = %v, want %v", got, tc.want)
			}
		})
	}
	if got, want := Principals(signers, a), []string{"alice@example.com", "bob@example.com"}; !slices.Equal(got, want) {
		t.Errorf("Principals = %q, want %q", got, want)
	}
	if got := Principals(signers, nil); got != nil {
		t.Errorf("Principals(nil) = %q", got)
	}
}

func FuzzParseAllowedSigners(f *testing.F) {
	f.Add([]byte("alice@example.com " + keyA + "\n"))
	f.Add([]byte(`"a,b" namespaces="git,x\"y",cert-authority ` + keyA + " c\r\n# x\n\n"))
	f.Add([]byte(`a valid-after="2020" ssh-rsa AAAA`))
	f.Add([]byte(`a namespaces="unterminated ` + keyA))
	f.Add([]byte("\"\n,\n a , =,\"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		signers, err := ParseAllowedSigners("fuzz", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error without file:line: %v", err)
			}
			return
		}
		for _, s := range signers {
			if s.Key == nil || len(s.Principals) == 0 || s.Line < 1 {
				t.Fatalf("incomplete signer %+v", s)
			}
			s.Allows("changegate")
			Find(signers, s.Key, "changegate")
		}
	})
}

// A line that is not an allowed signer is quoted clipped: a file of
// another kind is not printed back whole.
func TestParseAllowedSignersClipsContent(t *testing.T) {
	long := strings.Repeat("x", 500)
	for _, line := range []string{
		"alice@example.com",
		`<a href="https://example.net/` + long + `">`,
		"alice@example.com " + long + " AAAA",
		"alice@example.com,," + long + " ssh-ed25519 AAAA",
		`alice@example.com ` + long + `="x" ssh-ed25519 AAAA`,
	} {
		_, err := ParseAllowedSigners("signers", []byte(line+"\n"))
		if err == nil {
			t.Errorf("%.60s: no error", line)
			continue
		}
		if strings.Contains(err.Error(), strings.Repeat("x", 49)) {
			t.Errorf("error quotes more than 48 characters of the line: %.200v", err)
		}
	}
}
