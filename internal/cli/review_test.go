package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"image/color"
	"image/png"
	"math"
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

// docShots makes TestReviewHTMLInBrowser write the screenshots of
// docs/review.md (docs/img/review-*.png): go test ./internal/cli/ -run
// TestReviewHTMLInBrowser -docshots.
var docShots = flag.Bool("docshots", false, "write the review screenshots of docs/review.md into docs/img")

// reviewPage is a review the browser test renders: a plan, the name of
// its screenshots under docs/img, and the steps they show.
type reviewPage struct {
	name, plan string
	shots      []int
}

// TestReviewHTMLInBrowser renders the HTML review of both examples, of
// a plan on Topology Zoo's Geant2012 (40 nodes, 3 without a position)
// and of one on Cogentco (197 nodes: the pictures show 60) in headless
// Chromium (Debian's chromium, which .ci/run installs): it
// loads without errors, and the pictures appear: the screenshot holds
// the links' colours. Then, from the page as Chromium lays it out
// (probeReview): every step shows its devices as text, the chart's y
// axis shows the peak, the labels of the links the step's denials name
// are visible text in its picture, no node lies on a link it does not
// belong to, and no two labels overlap.
func TestReviewHTMLInBrowser(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium)")
	}
	isolate(t)
	dir := t.TempDir()
	pages := []reviewPage{
		{"outage", "../../examples/outage-plan.yaml", []int{1, 2}},
		{"safe", "../../examples/safe-plan.yaml", []int{5}},
	}
	if plan := geantPlan(t, dir); plan != "" {
		pages = append(pages, reviewPage{"geant", plan, []int{2}})
	} else if *docShots {
		t.Fatal("-docshots needs Topology Zoo's Geant2012 (../shared/data/topology-zoo)")
	}
	if plan := cogentPlan(t, dir); plan != "" {
		pages = append(pages, reviewPage{"cogent", plan, nil})
	}
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(4*time.Minute))
	defer cancel()
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			page := filepath.Join(dir, pg.name+".html")
			if _, errs, code := run(t, "review", pg.plan, "--format", "html", "-o", page); code != 0 {
				t.Fatal(errs)
			}
			if pg.name == "outage" {
				checkScreenshot(ctx, t, bin, dir, page)
			}
			if src := readFile(t, page); pg.name == "cogent" && !strings.Contains(src, `<p class="scope">The pictures show 60 of the 197 nodes: `) {
				t.Error("the review of a 197-node network does not say what its pictures leave out")
			}
			got := probeReview(ctx, t, bin, dir, page)
			checkProbe(t, pg.plan, got)
			if *docShots {
				writeDocShots(ctx, t, bin, dir, page, pg)
			}
		})
	}
}

// geantPlan writes a three-step plan on Geant2012 as topology import
// writes it (gravity demands, the backbone at 60%) into dir: drain AT,
// take CZ-SK down, restore both. It is denied: with AT drained and CZ-SK
// down, the failure of IT-GR cuts 15.5G off (and two 155M stubs run at
// 227% from the start). "" when the Zoo is not there.
func geantPlan(t *testing.T, dir string) string {
	zoo := "../../../shared/data/topology-zoo/graphml/Geant2012.graphml"
	if _, err := os.Stat(zoo); err != nil {
		return ""
	}
	topo := filepath.Join(dir, "geant.yaml")
	if _, errs, code := run(t, "topology", "import", "--from", "graphml", zoo, "--default-capacity", "10G", "--demands", "gravity",
		"--peak-utilization", "0.6", "--peak-min-capacity", "1G", "-o", topo); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	return writeFile(t, dir, "geant-plan.yaml", `id: CHG-GEANT-7
title: Fibre repair between Prague and Bratislava
author: Jane Doe <jane@example.net>
risk: low
topology: geant.yaml
steps:
  - name: drain AT for its software upgrade
    device: AT
    effects:
      - {type: drain, node: AT}
  - name: take CZ-SK down for the fibre repair
    devices: [CZ, SK]
    effects:
      - {type: link_down, link: CZ-SK}
  - name: bring CZ-SK back
    devices: [CZ, SK]
    effects:
      - {type: link_up, link: CZ-SK}
  - name: undrain AT
    device: AT
    effects:
      - {type: undrain, node: AT}
`)
}

// cogentPlan writes a plan on Topology Zoo's Cogentco (197 nodes, more
// than a picture draws) into dir: take Avila-Madrid down and back. ""
// when the Zoo is not there.
func cogentPlan(t *testing.T, dir string) string {
	zoo := "../../../shared/data/topology-zoo/graphml/Cogentco.graphml"
	if _, err := os.Stat(zoo); err != nil {
		return ""
	}
	topo := filepath.Join(dir, "cogent.yaml")
	if _, errs, code := run(t, "topology", "import", "--from", "graphml", zoo, "--default-capacity", "10G", "--demands", "gravity",
		"--peak-utilization", "0.6", "-o", topo); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	return writeFile(t, dir, "cogent-plan.yaml", `id: CHG-COGENT-3
title: Move Madrid off its Avila link
topology: cogent.yaml
steps:
  - name: take Avila-Madrid down
    device: Madrid
    effects:
      - {type: link_down, link: Avila-Madrid}
  - name: bring Avila-Madrid back
    device: Madrid
    effects:
      - {type: link_up, link: Avila-Madrid}
`)
}

// checkScreenshot takes a screenshot of the page: it loads without
// errors, and the pictures appear: pixels of the green of idle links,
// and of the chart's lines.
func checkScreenshot(ctx context.Context, t *testing.T, bin, dir, page string) {
	t.Helper()
	shot := filepath.Join(dir, "review.png")
	logs := chromium(ctx, t, bin, dir, "--enable-logging=stderr", "--v=0", "--window-size=1100,2600", "--screenshot="+shot, "file://"+page)
	for _, l := range strings.Split(logs, "\n") {
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
}

// chromium runs headless Chromium with args and returns what it logged.
func chromium(ctx context.Context, t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	logs, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, logs)
	}
	return string(logs)
}

// reviewProbe is what the probe script reads from the laid-out page: the
// text of each step's section and its devices line, the chart's labels
// that are drawn inside the chart with a size, and for each step's
// picture its nodes, links and labels where Chromium draws them.
type reviewProbe struct {
	Steps    []struct{ Title, Devices string }
	Chart    []string
	Pictures []probedPicture
}

type probedPicture struct {
	W, H  float64
	Nodes []struct {
		Name    string
		X, Y, R float64
	}
	Links []struct {
		A, B           string
		X1, Y1, X2, Y2 float64
	}
	Labels []struct {
		Text, Class    string
		X0, Y0, X1, Y1 float64
		Visible        bool
	}
}

// probeScript reads the rendered page into a <pre id="probe">:
// innerText (which leaves out what is not displayed), and the boxes
// Chromium gives the pictures' circles, lines and texts (getBBox, in the
// picture's coordinates).
const probeScript = `<script>
const out = {Steps: [], Chart: [], Pictures: []};
for (const s of document.querySelectorAll("section")) {
  const h = s.querySelector("h3"), d = s.querySelector("p.devices");
  out.Steps.push({Title: h ? h.innerText : "", Devices: d && d.getBoundingClientRect().height > 0 ? d.innerText : ""});
}
const svg = document.querySelector("svg.chart"), box = svg.getBoundingClientRect();
for (const t of svg.querySelectorAll("text")) {
  const r = t.getBoundingClientRect();
  if (r.width > 0 && r.height > 0 && r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom) out.Chart.push(t.textContent);
}
for (const pic of document.querySelectorAll("svg.network")) {
  const p = {W: pic.width.baseVal.value, H: pic.height.baseVal.value, Nodes: [], Links: [], Labels: []};
  for (const c of pic.querySelectorAll("circle.node")) {
    const b = c.getBBox();
    p.Nodes.push({Name: c.dataset.name, X: b.x + b.width / 2, Y: b.y + b.height / 2, R: b.width / 2});
  }
  for (const l of pic.querySelectorAll("line.link")) {
    p.Links.push({A: l.dataset.a, B: l.dataset.b, X1: l.x1.baseVal.value, Y1: l.y1.baseVal.value, X2: l.x2.baseVal.value, Y2: l.y2.baseVal.value});
  }
  for (const t of pic.querySelectorAll("text")) {
    const b = t.getBBox(), st = getComputedStyle(t), r = t.getBoundingClientRect();
    p.Labels.push({Text: t.textContent, Class: t.getAttribute("class"), X0: b.x, Y0: b.y, X1: b.x + b.width, Y1: b.y + b.height,
      Visible: st.visibility === "visible" && st.display !== "none" && Number(st.opacity) > 0 && r.width > 0 && r.height > 0});
  }
  out.Pictures.push(p);
}
const pre = document.createElement("pre");
pre.id = "probe";
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>`

// probeReview loads a copy of the review with probeScript appended and
// reads what it wrote back from Chromium's --dump-dom.
func probeReview(ctx context.Context, t *testing.T, bin, dir, page string) reviewProbe {
	t.Helper()
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	probed := strings.TrimSuffix(page, ".html") + "-probe.html"
	if err := os.WriteFile(probed, []byte(strings.Replace(string(src), "</body>", probeScript+"</body>", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1100,2600", "--dump-dom", "file://"+probed)
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
	return got
}

// checkProbe holds the rendered review of plan to what an approver must
// be able to read off a screenshot.
func checkProbe(t *testing.T, plan string, got reviewProbe) {
	t.Helper()
	data, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	p, ds := plans.Parse(filepath.Base(plan), data)
	if p == nil || ds.HasErrors() {
		t.Fatalf("the plan does not parse: %v", ds)
	}
	if len(got.Steps) != len(p.Steps) || len(got.Pictures) != len(p.Steps) {
		t.Fatalf("%d step sections and %d pictures shown for %d steps", len(got.Steps), len(got.Pictures), len(p.Steps))
	}
	for i, s := range p.Steps {
		shown := got.Steps[i]
		if want := "Devices: " + strings.Join(s.Devices, ", "); !strings.HasPrefix(shown.Devices, want) {
			t.Errorf("step %d (%s) shows %q, want it to start with %q", i+1, shown.Title, shown.Devices, want)
		}
	}
	if !slices.Contains(got.Chart, "capacity 100%") || !slices.Contains(got.Chart, "baseline") || !slices.Contains(got.Chart, "1: "+p.Steps[0].Name) {
		t.Errorf("the chart does not show the capacity line, the baseline and the first step; it shows %q", got.Chart)
	}
	if strings.HasSuffix(plan, "outage-plan.yaml") {
		for _, want := range []string{"700%", "0%", "700.0%"} {
			if !slices.Contains(got.Chart, want) {
				t.Errorf("the chart does not show %q; it shows %q", want, got.Chart)
			}
		}
	}
	denied := deniedLinks(t, plan)
	for i, pic := range got.Pictures {
		step := i + 1
		t.Logf("step %d: %d nodes, %d links, %d labels; denied links %v", step, len(pic.Nodes), len(pic.Links), len(pic.Labels), denied[step])
		// The labels of the links the step's denials name are visible
		// text in its picture.
		for _, id := range denied[step] {
			found := false
			for _, l := range pic.Labels {
				if l.Class == "link-label" && strings.HasPrefix(l.Text, id+" ") && l.Visible && l.X0 >= 0 && l.Y0 >= 0 && l.X1 <= pic.W && l.Y1 <= pic.H {
					found = true
				}
			}
			if !found {
				t.Errorf("step %d: link %s is denied, its label is not visible in the picture", step, id)
			}
		}
		// No node lies on a link it does not belong to.
		for _, n := range pic.Nodes {
			for _, l := range pic.Links {
				if l.A == n.Name || l.B == n.Name {
					continue
				}
				if d := segmentDist(n.X, n.Y, l.X1, l.Y1, l.X2, l.Y2); d < n.R+4 {
					t.Errorf("step %d: node %s lies on link %s-%s (%.1f from it)", step, n.Name, l.A, l.B, d)
				}
			}
		}
		// No two labels overlap, and none covers a node.
		for j, a := range pic.Labels {
			for _, b := range pic.Labels[j+1:] {
				if a.X0 < b.X1-0.5 && b.X0 < a.X1-0.5 && a.Y0 < b.Y1-0.5 && b.Y0 < a.Y1-0.5 {
					t.Errorf("step %d: labels %q and %q overlap", step, a.Text, b.Text)
				}
			}
			for _, n := range pic.Nodes {
				cx, cy := max(a.X0, min(a.X1, n.X)), max(a.Y0, min(a.Y1, n.Y))
				if math.Hypot(cx-n.X, cy-n.Y) < n.R-1 {
					t.Errorf("step %d: label %q covers node %s", step, a.Text, n.Name)
				}
			}
		}
		if len(pic.Nodes) == 0 || len(pic.Labels) < len(pic.Nodes) {
			t.Errorf("step %d: %d nodes and %d labels drawn", step, len(pic.Nodes), len(pic.Labels))
		}
	}
}

// segmentDist is the distance from (px,py) to the segment (x1,y1)-(x2,y2).
func segmentDist(px, py, x1, y1, x2, y2 float64) float64 {
	dx, dy := x2-x1, y2-y1
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = max(0, min(1, ((px-x1)*dx+(py-y1)*dy)/l2))
	}
	return math.Hypot(px-(x1+t*dx), py-(y1+t*dy))
}

// deniedLinks are, by step, the links the plan's denials name (their
// "link" fact, and their "failure" when it is a link's), as check
// --format json gives them.
func deniedLinks(t *testing.T, plan string) map[int][]string {
	t.Helper()
	out, errs, _ := run(t, "check", plan, "--format", "json")
	var v struct {
		Results []struct {
			Kind  string
			Step  int
			Facts map[string]any
		}
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("check: %v\n%s", err, errs)
	}
	denied := map[int][]string{}
	for _, r := range v.Results {
		if r.Kind != "deny" {
			continue
		}
		for _, id := range []any{r.Facts["link"], strings.TrimPrefix(fmt.Sprint(r.Facts["failure"]), "link:")} {
			if id, ok := id.(string); ok && id != "" && id != "<nil>" && !strings.Contains(id, ":") && !slices.Contains(denied[r.Step], id) {
				denied[r.Step] = append(denied[r.Step], id)
			}
		}
	}
	return denied
}

// writeDocShots writes the screenshots of docs/review.md: the top of the
// review (verdict, reasons, chart) and each step's picture, cut from the
// page by rendering its parts alone.
func writeDocShots(ctx context.Context, t *testing.T, bin, dir, page string, pg reviewPage) {
	t.Helper()
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	head := doc[:strings.Index(doc, "<body>")+len("<body>")]
	shoot := func(file, body string, w, h int) {
		part := filepath.Join(dir, file+".html")
		if err := os.WriteFile(part, []byte(head+body+"</body></html>\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := filepath.Abs(filepath.Join("../../docs/img", file+".png"))
		if err != nil {
			t.Fatal(err)
		}
		chromium(ctx, t, bin, dir, fmt.Sprintf("--window-size=%d,%d", w, h), "--screenshot="+out, "file://"+part)
	}
	if pg.name == "outage" {
		shoot("review-"+pg.name+"-top", doc[len(head):strings.Index(doc, "<h2>Steps</h2>")], 1100, 860)
	}
	sections := regexp.MustCompile(`(?s)<section>.*?<p class="n1">.*?</p>`).FindAllString(doc, -1)
	for _, k := range pg.shots {
		shoot(fmt.Sprintf("review-%s-step%d", pg.name, k), sections[k-1]+"</section>", 1100, 700)
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
