// Command dashboards writes the Grafana dashboards of the call-center receiver and their
// provisioning files: `make dashboards` runs it, `make check-dashboards` fails when the committed
// files differ from what it writes.
//
// It writes the classic dashboard JSON (the SDK's dashboard package, which it marks deprecated in
// favour of dashboardv2): file provisioning and import load it in every Grafana, while the v2
// schema needs Grafana 12 with its new dashboard API.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// vendors are the choices of the call explorer's vendor variable, comma-separated.
var vendors = "tccc,udesk,uincall,dezhu"

func main() {
	out := flag.String("out", "dashboards", "directory the dashboards and provisioning/ are written to")
	flag.StringVar(&vendors, "vendors", vendors, "the registered platforms (`make dashboards` passes internal/platforms' names)")
	flag.Parse()
	vendors = strings.Join(strings.Fields(strings.ReplaceAll(vendors, ",", " ")), ",")
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "dashboards:", err)
		os.Exit(1)
	}
}

// write renders every dashboard to <out>/<uid>.json and the provisioning files under
// <out>/provisioning/.
func write(out string) error {
	builders := map[string]*dashboard.DashboardBuilder{
		"callcenter-service-overview": serviceOverview(),
		"callcenter-queues-agents":    queuesAndAgents(),
		"callcenter-call-explorer":    callExplorer(),
		"callcenter-live":             live(),
	}
	for uid, b := range builders {
		d, err := b.Uid(uid).Build()
		if err != nil {
			return fmt.Errorf("%s: %w", uid, err)
		}
		numberPanels(&d)
		if err := writeJSON(filepath.Join(out, uid+".json"), d); err != nil {
			return err
		}
	}
	for name, text := range provisioning {
		path := filepath.Join(out, "provisioning", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// numberPanels gives every panel and row a unique ID: Grafana links and repeats panels by it.
func numberPanels(d *dashboard.Dashboard) {
	for i, p := range d.Panels {
		id := uint32(i + 1)
		switch {
		case p.Panel != nil:
			p.Panel.Id = &id
		case p.RowPanel != nil:
			p.RowPanel.Id = id
		}
	}
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
