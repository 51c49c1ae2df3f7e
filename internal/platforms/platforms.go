// Package platforms is the registry of the call-center platforms the receiver serves. Each is
// declared here once, by one line; the configuration sections and their defaults, the validation
// messages, the webhook routes, the connector's decoders, the Makefile's fuzz targets and the
// test tables that iterate the platforms all derive from this list.
package platforms

import (
	"slices"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/dezhu"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/tccc"
	"github.com/otelcallcenter/callcenterreceiver/internal/udesk"
	"github.com/otelcallcenter/callcenterreceiver/internal/uincall"
)

// Entry is one platform with its defaults. The platform itself gives its name, decoder, reply
// format and phone fields.
type Entry struct {
	platform.Platform
	// Path is the default path of its webhook endpoint.
	Path string
	// DedupWindow is how long an accepted push is remembered by default: longer than the
	// platform keeps retrying it.
	DedupWindow time.Duration
	// Tries is how often the platform sends a push until it gets a success reply, as its
	// document says; 0 when the document gives no number. Tests play the platform with it.
	Tries int
}

const day = 24 * time.Hour

// all are the platforms, in the order the documentation lists them. A new platform is its
// package (internal/<name>, with a FuzzDecode), its fixtures (testdata/<name>/) and one line here.
var all = []Entry{
	{tccc.Platform{}, "/" + tccc.Name, day, 4},       // 最多重试3次: the first try and 3 retries (seeds/000)
	{udesk.Platform{}, "/" + udesk.Name, day, 0},     // no count given; every push after a call's end is a retry (seeds/004)
	{uincall.Platform{}, "/" + uincall.Name, day, 1}, // no retries and no push ID: every push is an event (seeds/001)
	{dezhu.Platform{}, "/" + dezhu.Name, day, 10},    // 最多推送10次 (seeds/002)
}

// All returns the registered platforms.
func All() []Entry { return slices.Clone(all) }

// Names returns the names of the registered platforms, in registry order.
func Names() []string {
	names := make([]string, len(all))
	for i, e := range all {
		names[i] = e.Name()
	}
	return names
}

// Lookup returns the platform of a name.
func Lookup(name string) (Entry, bool) {
	for _, e := range all {
		if e.Name() == name {
			return e, true
		}
	}
	return Entry{}, false
}
