package finding

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"
)

// SARIFSchema is the $schema WriteSARIF writes: SARIF 2.1.0 as SchemaStore
// publishes it, which GitHub code scanning accepts.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// srcRoot is the uriBaseId of relative artifact URIs: the checkout root.
const srcRoot = "%SRCROOT%"

// The subset of SARIF 2.1.0 that WriteSARIF uses.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string      `json:"id"`
	Name                 string      `json:"name"`
	ShortDescription     *sarifText  `json:"shortDescription,omitempty"`
	FullDescription      *sarifText  `json:"fullDescription,omitempty"`
	HelpURI              string      `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level Severity `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     Severity        `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// WriteSARIF writes r as a SARIF 2.1.0 log with one run. tool.driver.rules
// holds r.Rules in order, then any rule a finding names that r.Rules lacks
// (sorted, ID only). Each finding is a result whose message is the
// message and, on a new line, "hint: " and the hint. A finding with a file
// (its own or its case's) has one location: a relative path becomes a URI
// relative to %SRCROOT% (forward slashes, percent-encoded), an absolute
// one a file:// URI; the region is omitted when the line is unknown. A
// finding with no file has no locations, which SARIF allows but GitHub
// code scanning rejects. Cases that pass leave no trace: SARIF has no
// place for them.
func WriteSARIF(w io.Writer, r *Report) error {
	s, err := prepare(r)
	if err != nil {
		return err
	}
	// The most severe level each rule's findings have.
	worst := map[string]Severity{}
	for _, e := range s.findings {
		if cur, ok := worst[e.Rule]; !ok || e.Severity.rank() < cur.rank() {
			worst[e.Rule] = e.Severity
		}
	}
	index := map[string]int{}
	rules := []sarifRule{} // encodes as [] when empty
	add := func(rule Rule) {
		level := rule.Severity
		if level == "" {
			level = worst[rule.ID]
		}
		if level == "" {
			level = Warning
		}
		sr := sarifRule{ID: rule.ID, Name: rule.ID, HelpURI: rule.HelpURI, DefaultConfiguration: sarifConfig{Level: level}}
		if rule.Title != "" {
			sr.ShortDescription = &sarifText{Text: rule.Title}
		}
		if rule.Description != "" {
			sr.FullDescription = &sarifText{Text: rule.Description}
		}
		index[rule.ID] = len(rules)
		rules = append(rules, sr)
	}
	for _, rule := range s.Rules {
		add(rule)
	}
	var missing []string
	for id := range worst {
		if _, ok := index[id]; !ok {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	for _, id := range missing {
		add(Rule{ID: id})
	}

	results := make([]sarifResult, 0, len(s.findings))
	for _, e := range s.findings {
		text := e.Message
		if e.Hint != "" {
			text += "\nhint: " + e.Hint
		}
		res := sarifResult{RuleID: e.Rule, RuleIndex: index[e.Rule], Level: e.Severity, Message: sarifText{Text: text}}
		if e.File != "" {
			uri, base := artifactURI(e.File)
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri, URIBaseID: base}}}
			if line, col := e.lineCol(); line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: line, StartColumn: col}
			}
			res.Locations = []sarifLocation{loc}
		}
		results = append(results, res)
	}

	doc := sarifLog{
		Schema:  SARIFSchema,
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name: s.Tool, Version: s.Version, InformationURI: s.URI,
				Rules: rules,
			}},
			Results: results,
		}},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

// artifactURI turns a file path into a SARIF artifact URI and its
// uriBaseId: backslashes become slashes, the path is cleaned and
// percent-encoded, a relative path is relative to %SRCROOT%, and an
// absolute one (including a Windows drive path) becomes a file:// URI.
func artifactURI(p string) (uri, base string) {
	p = path.Clean(strings.ReplaceAll(p, `\`, "/"))
	switch {
	case strings.HasPrefix(p, "/"):
		return (&url.URL{Scheme: "file", Path: p}).String(), ""
	case len(p) >= 3 && p[1] == ':' && p[2] == '/' && ('a' <= p[0]|0x20 && p[0]|0x20 <= 'z'):
		return (&url.URL{Scheme: "file", Path: "/" + p}).String(), ""
	}
	return (&url.URL{Path: p}).String(), srcRoot
}
