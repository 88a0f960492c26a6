package sshsig

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/diag"
)

// AllowedSigner is one line of an OpenSSH allowed_signers file.
type AllowedSigner struct {
	// Principals are the principal patterns the key may sign as
	// (for git, usually e-mail addresses); "*" and "?" are wildcards.
	Principals []string
	// Key is the public key.
	Key ssh.PublicKey
	// Namespaces, from the namespaces="..." option, are the namespace
	// patterns the key may sign in; empty means any namespace.
	Namespaces []string
	// Line is the 1-based line number in the file.
	Line int
}

// Allows reports whether the signer may sign in namespace: true when the
// line has no namespaces option, otherwise when namespace matches one of
// its patterns and none of its negated ("!") patterns, as OpenSSH does.
func (s AllowedSigner) Allows(namespace string) bool {
	if len(s.Namespaces) == 0 {
		return true
	}
	return matchList(namespace, s.Namespaces)
}

// Find returns the first signer whose key has the same wire encoding as key
// and that allows namespace.
func Find(signers []AllowedSigner, key ssh.PublicKey, namespace string) (*AllowedSigner, bool) {
	if key == nil {
		return nil, false
	}
	want := key.Marshal()
	for i := range signers {
		s := &signers[i]
		if s.Key != nil && bytes.Equal(s.Key.Marshal(), want) && s.Allows(namespace) {
			return s, true
		}
	}
	return nil, false
}

// Listed reports whether key may sign as principal in namespace: a line
// lists the key, allows namespace and names principal among its
// principals (compared as written: changegate does not expand principal
// patterns). The key may be on several lines, each with its principals.
func Listed(signers []AllowedSigner, key ssh.PublicKey, namespace, principal string) bool {
	if key == nil {
		return false
	}
	want := key.Marshal()
	for _, s := range signers {
		if s.Key != nil && bytes.Equal(s.Key.Marshal(), want) && s.Allows(namespace) && slices.Contains(s.Principals, principal) {
			return true
		}
	}
	return false
}

// Principals returns every principal that any line lists key under, in
// any namespace, in file order and without repeats: everyone the key's
// holder may be.
func Principals(signers []AllowedSigner, key ssh.PublicKey) []string {
	if key == nil {
		return nil
	}
	want := key.Marshal()
	var out []string
	for _, s := range signers {
		if s.Key == nil || !bytes.Equal(s.Key.Marshal(), want) {
			continue
		}
		for _, p := range s.Principals {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// ParseAllowedSigners parses an OpenSSH allowed_signers file:
//
//	principal[,principal...] [options] keytype base64 [comment]
//
// with '#' comment lines and blank lines. The only supported option is
// namespaces="ns[,ns...]"; cert-authority, valid-after and valid-before are
// refused. Every problem is reported as "file:line: ..." in one joined error.
func ParseAllowedSigners(file string, data []byte) ([]AllowedSigner, error) {
	var (
		signers []AllowedSigner
		errs    []error
	)
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseSignerLine(line)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", file, n, err))
			continue
		}
		s.Line = n
		signers = append(signers, s)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return signers, nil
}

func parseSignerLine(line string) (AllowedSigner, error) {
	var s AllowedSigner
	principals, rest, err := splitPrincipals(line)
	if err != nil {
		return s, err
	}
	for _, p := range strings.Split(principals, ",") {
		if p == "" {
			return s, fmt.Errorf("empty principal in %s", diag.Excerpt(principals))
		}
		s.Principals = append(s.Principals, p)
	}
	if rest == "" {
		return s, errors.New("missing public key after principals")
	}

	key, keyErr := parseKey(rest)
	if keyErr == nil {
		s.Key = key
		return s, nil
	}
	// Not a key: the first field may be options.
	opts, afterOpts := splitOptions(rest)
	key, err = parseKey(afterOpts)
	if err != nil {
		if looksLikeOptions(opts) {
			return s, err
		}
		return s, keyErr
	}
	s.Key = key
	if s.Namespaces, err = parseOptions(opts); err != nil {
		return s, err
	}
	return s, nil
}

// splitPrincipals returns the principals field, which may be double-quoted,
// and the rest of the line with leading space removed.
func splitPrincipals(line string) (principals, rest string, err error) {
	if line[0] == '"' {
		end := strings.IndexByte(line[1:], '"')
		if end < 0 {
			return "", "", errors.New("unterminated quoted principals")
		}
		principals, rest = line[1:1+end], line[2+end:]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			return "", "", errors.New("missing space after quoted principals")
		}
	} else {
		end := strings.IndexAny(line, " \t")
		if end < 0 {
			end = len(line)
		}
		principals, rest = line[:end], line[end:]
	}
	if principals == "" {
		return "", "", errors.New("empty principals")
	}
	return principals, strings.TrimLeft(rest, " \t"), nil
}

// parseKey parses "keytype base64 [comment]".
func parseKey(s string) (ssh.PublicKey, error) {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return nil, fmt.Errorf("missing public key: want \"keytype base64\", got %s", diag.Excerpt(s))
	}
	raw, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return nil, fmt.Errorf("invalid %s public key: base64: %w", diag.Clip(fields[0]), err)
	}
	key, err := ssh.ParsePublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid %s public key: %w", diag.Clip(fields[0]), err)
	}
	if key.Type() != fields[0] {
		return nil, fmt.Errorf("key type %s does not match the key data, which is %q", diag.Excerpt(fields[0]), key.Type())
	}
	return key, nil
}

// splitOptions returns the options field (up to the first space outside
// double quotes) and the rest with leading space removed.
func splitOptions(s string) (opts, rest string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted && i+1 < len(s):
			i++
		case c == '"':
			quoted = !quoted
		case (c == ' ' || c == '\t') && !quoted:
			return s[:i], strings.TrimLeft(s[i:], " \t")
		}
	}
	return s, ""
}

func looksLikeOptions(s string) bool {
	name, _, _ := strings.Cut(s, ",")
	name, _, _ = strings.Cut(name, "=")
	switch strings.ToLower(name) {
	case "namespaces", "cert-authority", "valid-after", "valid-before":
		return true
	}
	return strings.ContainsAny(s, "=,\"")
}

// parseOptions parses the comma-separated options field and returns the
// namespaces it allows.
func parseOptions(opts string) ([]string, error) {
	var (
		namespaces []string
		seen       = map[string]bool{}
	)
	for opts != "" {
		i := strings.IndexAny(opts, "=,")
		if i < 0 {
			i = len(opts)
		}
		name := strings.ToLower(opts[:i])
		opts = opts[i:]
		var value string
		hasValue := strings.HasPrefix(opts, "=")
		if hasValue {
			var err error
			if value, opts, err = quotedValue(name, opts[1:]); err != nil {
				return nil, err
			}
		}
		if opts != "" {
			if opts[0] != ',' || len(opts) == 1 {
				return nil, fmt.Errorf("option %s: want ',' between options, got %s", diag.Excerpt(name), diag.Excerpt(opts))
			}
			opts = opts[1:]
		}
		if seen[name] {
			return nil, fmt.Errorf("option %s given twice", diag.Excerpt(name))
		}
		seen[name] = true
		switch name {
		case "namespaces":
			if !hasValue {
				return nil, errors.New(`option "namespaces" needs a value: namespaces="ns[,ns...]"`)
			}
			for _, ns := range strings.Split(value, ",") {
				if ns == "" {
					return nil, fmt.Errorf("empty namespace in namespaces=%s", diag.Excerpt(value))
				}
				namespaces = append(namespaces, ns)
			}
		case "cert-authority":
			return nil, errors.New(`option "cert-authority" is not supported: list the signing keys themselves`)
		case "valid-after", "valid-before":
			return nil, fmt.Errorf("option %s is not supported: remove it or the line", diag.Excerpt(name))
		case "":
			return nil, errors.New("empty option name")
		default:
			return nil, fmt.Errorf("unknown option %s (known: namespaces)", diag.Excerpt(name))
		}
	}
	return namespaces, nil
}

// quotedValue reads a double-quoted value with backslash-escaped quotes
// from the start of s and returns it and what follows.
func quotedValue(name, s string) (value, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", fmt.Errorf("option %s: value must be double-quoted", diag.Excerpt(name))
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && s[i+1] == '"':
			b.WriteByte('"')
			i++
		case c == '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("option %s: unterminated quoted value", diag.Excerpt(name))
}

// matchList matches s against patterns as OpenSSH's match_pattern_list
// does: false if s matches any negated ("!") pattern, else true if it
// matches any plain pattern.
func matchList(s string, patterns []string) bool {
	matched := false
	for _, p := range patterns {
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			if match(s, neg) {
				return false
			}
		} else if match(s, p) {
			matched = true
		}
	}
	return matched
}

// match reports whether s matches pattern, where '*' matches any run of
// bytes and '?' any single byte.
func match(s, pattern string) bool {
	// Iterative wildcard match with single-star backtracking.
	si, pi, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]):
			si++
			pi++
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}
