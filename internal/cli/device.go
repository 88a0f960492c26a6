package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func (a *app) deviceCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "device",
		Short: "Talk to the inventory's devices over SSH: run commands, try a step's health checks",
	}
	cmd.AddCommand(a.deviceRunCommand(), a.deviceCheckCommand(), a.devicePlatformsCommand())
	return cmd
}

// errNoTerminal is the prompter's refusal when standard input is not a
// terminal; each caller says what to do instead.
var errNoTerminal = errors.New("standard input is not a terminal, so changegate cannot ask")

// terminalPrompter asks for credentials on the terminal without echo. It
// refuses when standard input is not a terminal: CI and pipes must use
// env or file credentials.
type terminalPrompter struct {
	in  io.Reader
	out io.Writer
}

func (p terminalPrompter) Prompt(ctx context.Context, label string) (string, error) {
	f, ok := p.in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", fmt.Errorf("%w; give the credential as {env: VAR} or {file: PATH} in the inventory", errNoTerminal)
	}
	fmt.Fprintf(p.out, "%s: ", label)
	type answer struct {
		b   []byte
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		b, err := term.ReadPassword(int(f.Fd()))
		ch <- answer{b, err}
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(p.out)
		return "", context.Cause(ctx)
	case a := <-ch:
		fmt.Fprintln(p.out)
		return strings.TrimRight(string(a.b), "\r\n"), a.err
	}
}
