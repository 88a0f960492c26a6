package plans

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/textfsm"
)

const (
	templateHint = "fix the template (TextFSM syntax: https://github.com/google/textfsm/wiki/TextFSM)"
	regoHint     = "give a Rego expression over output, the list of records the template parsed, such as count(output) >= 2"
)

// textFSM parses the mapping under expect: textfsm: a template given as a
// file (template) or inline (template_text), and the Rego expression
// (rego) over the records. It reads and compiles the template, reporting
// a problem in it at its line: in the template file, or in the plan for
// an inline template written as a literal block (|).
func (ps *parser) textFSM(k, v *yaml.Node, what string, e *Expect) {
	if diag.IsNull(v) {
		ps.y.Errorf(k, "give template: FILE (or template_text: |) and rego: EXPR", "%s is empty", what)
		return
	}
	f, ok := ps.mapping(v, what, "template", "template_text", "rego")
	if !ok {
		return
	}
	if r, ok := f.Vals["rego"]; ok {
		e.Value = ps.checked(r, what+": rego", regoHint, diag.KindBlock)
	} else {
		ps.y.Errorf(v, "add rego: a Rego expression over output, the list of records the template parsed, such as count(output) >= 2",
			"%s: missing field %q", what, "rego")
	}
	fileNode, hasFile := f.Vals["template"]
	textNode, hasText := f.Vals["template_text"]
	switch {
	case hasFile && hasText:
		second := "template_text"
		if before(f.Keys["template_text"], f.Keys["template"]) {
			second = "template"
		}
		ps.y.Errorf(f.Keys[second], "keep one: template names a file (relative to the plan), template_text holds the template itself",
			"%s has both template and template_text", what)
	case hasFile:
		ps.templateFile(fileNode, what, e)
	case hasText:
		text := ps.checked(textNode, what+": template_text", "give the TextFSM template: Value lines, a blank line, then Start and its rules", diag.KindBlock)
		if text == "" {
			return
		}
		if _, err := textfsm.Compile(text); err != nil {
			ps.inlineTemplateError(textNode, what, text, err)
			return
		}
		e.Template = text
	default:
		ps.y.Errorf(v, "add template: FILE (a TextFSM template file, relative to the plan), or template_text: | with the template",
			"%s names no template", what)
	}
}

// templateFile reads and compiles the template file that v names.
func (ps *parser) templateFile(v *yaml.Node, what string, e *Expect) {
	name := ps.checked(v, what+": template", "give the TextFSM template file, relative to the plan", diag.KindLine)
	if name == "" {
		return
	}
	if ps.opts.ReadFile == nil {
		hint := ps.opts.NoFileHint
		if hint == "" {
			hint = "give the template inline with template_text: |, or load the plan from its file (plans.LoadFile)"
		}
		ps.y.Errorf(v, hint, "%s: template file %q cannot be read here", what, name)
		return
	}
	path, data, err := ps.opts.ReadFile(name)
	if err != nil {
		ps.y.Errorf(v, fmt.Sprintf("the path is relative to the plan's directory (%s); check the name, or give the template inline with template_text", filepath.Dir(ps.y.File)),
			"%s: template %q: %v", what, name, unwrapPath(err))
		return
	}
	text := string(data)
	if _, err := textfsm.Compile(text); err != nil {
		var te *textfsm.Error
		if errors.As(err, &te) && te.Line > 0 {
			ps.y.Diags.Add(diag.Pos{File: path, Line: te.Line, Col: 1}, templateHint, "%s: template: %s", what, te.Msg)
		} else {
			ps.y.Errorf(v, templateHint, "%s: template %s: %v", what, name, err)
		}
		return
	}
	e.Template, e.TemplateFile = text, name
}

// unwrapPath returns the *fs.PathError inside err ("open PATH: no such
// file or directory"), which names the resolved path, without the
// context ReadFile adds; err itself when there is none.
func unwrapPath(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe
	}
	return err
}

// inlineTemplateError reports a problem with an inline template at its
// line in the plan when the template is a literal block (|) whose lines
// can be found in the plan text, and at the template otherwise.
func (ps *parser) inlineTemplateError(v *yaml.Node, what, text string, err error) {
	var te *textfsm.Error
	if !errors.As(err, &te) || te.Line <= 0 {
		ps.y.Errorf(v, templateHint, "%s: template_text: %v", what, err)
		return
	}
	if pos, ok := ps.blockLine(v, text, te.Line); ok && !ps.opts.Rendered {
		ps.y.Diags.Add(pos, templateHint, "%s: template_text: %s", what, te.Msg)
		return
	}
	ps.y.Errorf(v, templateHint, "%s: template_text line %d: %s", what, te.Line, te.Msg)
}

// blockLine returns the position in the plan of line n (1-based) of the
// literal block scalar v whose value is text, checking that the plan's
// line holds that line of the text.
func (ps *parser) blockLine(v *yaml.Node, text string, n int) (diag.Pos, bool) {
	if v.Style&yaml.LiteralStyle == 0 || v.Line <= 0 {
		return diag.Pos{}, false
	}
	want := strings.Split(text, "\n")
	planLines := strings.Split(string(ps.data), "\n")
	i := v.Line - 1 + n // 0-based: the block starts on the line after the indicator
	if n > len(want) || i >= len(planLines) {
		return diag.Pos{}, false
	}
	got := strings.TrimSuffix(planLines[i], "\r")
	line := want[n-1]
	if line == "" || !strings.HasSuffix(got, line) || strings.TrimLeft(got[:len(got)-len(line)], " ") != "" {
		return diag.Pos{}, false
	}
	return diag.Pos{File: ps.y.File, Line: i + 1, Col: len(got) - len(line) + 1}, true
}
