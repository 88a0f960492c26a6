package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/testscale"
	"github.com/changegate/changegate/plans"
)

// TestReviewMarkdown pins the review of both examples (golden files,
// -update rewrites them) and checks that the same inputs give the same
// bytes and that every step has its line and its details.
func TestReviewMarkdown(t *testing.T) {
	isolate(t)
	for _, tc := range []struct{ golden, plan string }{
		{"review-outage.md", "../../examples/outage-plan.yaml"},
		{"review-safe.md", "../../examples/safe-plan.yaml"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out, errs, code := run(t, "review", tc.plan)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			again, _, _ := run(t, "review", tc.plan)
			if again != out {
				t.Error("two reviews of the same inputs differ")
			}
			lines := len(regexp.MustCompile(`(?m)^\| \d+ \| `).FindAllString(out, -1))
			if got := strings.Count(out, "<details><summary>Step "); got != lines || lines == 0 {
				t.Errorf("%d step details for %d step lines", got, lines)
			}
			checkGolden(t, tc.golden, out)
		})
	}
	if _, errs, code := run(t, "review", "../../examples/safe-plan.yaml", "--format", "pdf"); code != 1 || !strings.Contains(errs, "use markdown or html") {
		t.Errorf("pdf: exit %d %s", code, errs)
	}
}

// TestReviewHTMLGolden pins the HTML review of the outage example.
func TestReviewHTMLGolden(t *testing.T) {
	isolate(t)
	out, errs, code := run(t, "review", "../../examples/outage-plan.yaml", "--format", "html")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	again, _, _ := run(t, "review", "../../examples/outage-plan.yaml", "--format", "html")
	if again != out {
		t.Error("two reviews of the same inputs differ")
	}
	if n := strings.Count(out, `<svg class="network"`); n != 4 {
		t.Errorf("%d network pictures for 4 steps", n)
	}
	if strings.Contains(out, "<script") || strings.Contains(out, "http://") && !strings.Contains(out, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Error("the file is not self-contained")
	}
	checkGolden(t, "review-outage.html", out)
}

// TestReviewHTMLInBrowser renders the HTML review in headless Chromium
// (Debian's chromium, which .ci/run installs): it loads without errors,
// and the pictures appear: the screenshot holds the links' colours. Then,
// from the page as Chromium lays it out, every step shows its devices as
// text and the chart's y axis shows the peak (probeReview).
func TestReviewHTMLInBrowser(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	isolate(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "review.html")
	if _, errs, code := run(t, "review", "../../examples/outage-plan.yaml", "--format", "html", "-o", page); code != 0 {
		t.Fatal(errs)
	}
	shot := filepath.Join(dir, "review.png")
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(2*time.Minute))
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--enable-logging=stderr", "--v=0", "--window-size=1000,2600", "--screenshot="+shot, "file://"+page)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	logs, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, logs)
	}
	for _, l := range strings.Split(string(logs), "\n") {
		if strings.Contains(l, "CONSOLE") || strings.Contains(l, "Uncaught") || strings.Contains(l, "Failed to load resource") {
			t.Errorf("the page logged: %s", l)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// The pictures appear: pixels of the green of idle links, the red of
	// the verdict and of overloaded links, and the chart's lines.
	want := map[string]color.RGBA{"green link": {0x33, 0xaa, 0x33, 0xff}, "chart line": {0x22, 0x33, 0x66, 0xff}, "orange N-1 line": {0xee, 0x66, 0x00, 0xff}}
	found := map[string]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			for name, c := range want {
				if near(r>>8, c.R) && near(g>>8, c.G) && near(bl>>8, c.B) {
					found[name]++
				}
			}
		}
	}
	for name := range want {
		if found[name] < 50 {
			t.Errorf("%s: %d pixels in the screenshot: the pictures did not render", name, found[name])
		}
	}
	probeReview(ctx, t, bin, dir, page)
}

// reviewProbe is what the probe script reads from the laid-out page: the
// text of each step's section and its devices line, and the chart's
// labels that are drawn inside the chart with a size.
type reviewProbe struct {
	Steps []struct{ Title, Devices string }
	Chart []string
}

// probeReview loads a copy of the review with a script appended that
// reads the rendered page (innerText, which leaves out what is not
// displayed, and the bounding boxes of the chart's labels) into an
// element, and reads that element back from Chromium's --dump-dom: the
// devices of every step of the plan are shown, and the chart's y axis
// and x axis show the outage example's 700% peak and its step names.
func probeReview(ctx context.Context, t *testing.T, bin, dir, page string) {
	t.Helper()
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	const script = `<script>
const out = {Steps: [], Chart: []};
for (const s of document.querySelectorAll("section")) {
  const h = s.querySelector("h3"), d = s.querySelector("p.devices");
  out.Steps.push({Title: h ? h.innerText : "", Devices: d && d.getBoundingClientRect().height > 0 ? d.innerText : ""});
}
const svg = document.querySelector("svg.chart"), box = svg.getBoundingClientRect();
for (const t of svg.querySelectorAll("text")) {
  const r = t.getBoundingClientRect();
  if (r.width > 0 && r.height > 0 && r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom) out.Chart.push(t.textContent);
}
const pre = document.createElement("pre");
pre.id = "probe";
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>`
	probed := filepath.Join(dir, "probe.html")
	if err := os.WriteFile(probed, []byte(strings.Replace(string(src), "</body>", script+"</body>", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1000,2600", "--dump-dom", "file://"+probed)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium --dump-dom: %v\n%s", err, stderr.String())
	}
	m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("the probe did not run:\n%s", stderr.String())
	}
	var got reviewProbe
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
		t.Fatalf("probe: %v: %s", err, m[1])
	}

	data, err := os.ReadFile("../../examples/outage-plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, ds := plans.Parse("outage-plan.yaml", data)
	if p == nil || ds.HasErrors() {
		t.Fatalf("the example does not parse: %v", ds)
	}
	if len(got.Steps) != len(p.Steps) {
		t.Fatalf("%d step sections shown for %d steps", len(got.Steps), len(p.Steps))
	}
	for i, s := range p.Steps {
		shown := got.Steps[i]
		if want := "Devices: " + strings.Join(s.Devices, ", "); !strings.HasPrefix(shown.Devices, want) {
			t.Errorf("step %d (%s) shows %q, want it to start with %q", i+1, shown.Title, shown.Devices, want)
		}
	}
	for _, want := range []string{"700%", "capacity 100%", "0%", "700.0%", "baseline", "1: " + p.Steps[0].Name} {
		if !slices.Contains(got.Chart, want) {
			t.Errorf("the chart does not show %q; it shows %q", want, got.Chart)
		}
	}
}

func near(a uint32, b uint8) bool { return a+12 >= uint32(b) && a <= uint32(b)+12 }

// TestReviewShowsApprovals: an approval in the review, in both formats,
// has its status, approver, time (UTC), roles, comment and the mark of
// one given while the gate denied the plan.
func TestReviewShowsApprovals(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	plan := writeFile(t, dir, "plan.yaml", readFile(t, "../../examples/outage-plan.yaml"))
	bob := newKey(t, dir, "bob")
	writeFile(t, dir, "allowed_signers", fmt.Sprintf("bob@example.net namespaces=\"changegate\" %s\n", bob))
	cfg := writeFile(t, dir, "changegate.yaml", "approvals:\n  allowed_signers: allowed_signers\n  roles:\n    bob@example.net: [network-lead]\n")
	if out, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "bob"), "--denied", "--comment", "checked <the> N-1 case"); code != 0 {
		t.Fatalf("approve: exit %d\n%s%s", code, out, errs)
	}
	at := regexp.MustCompile(`COUNTS\*?\*? bob@example\.net at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(roles: network-lead\) \[approved while DENIED\]: “checked (&lt;|\\<)the(&gt;|\\>) N-1 case”`)
	for _, format := range []string{"markdown", "html"} {
		out, errs, code := run(t, "--config", cfg, "review", plan, "--format", format)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", format, code, errs)
		}
		section := out[strings.LastIndex(out, "Approvals"):]
		if !at.MatchString(strings.NewReplacer("<b>", "", "</b>", "").Replace(section)) {
			t.Errorf("%s: the approval is not shown with its time, roles, comment and mark:\n%s", format, section)
		}
	}
}
