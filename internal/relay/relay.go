// Package relay is the record an edge receiver forwards for each push to the assembly tier, and
// how the connector there reads it back: the vendor's request as it arrived (body, query,
// headers, arrival time, time zone) and the tenant, so that the connector decodes exactly the
// pushes the edge decoded; and a trace ID derived from the push alone, so that the
// load-balancing exporter (routing_key: traceID) sends every push of one call to the same
// assembly collector.
package relay

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/traces"
)

// EventName is the event.name of an edge record.
const EventName = "callcenter.edge.push"

// withheld are request headers not forwarded: credentials the edge already checked.
var withheld = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Content-Length": true}

// Encode returns one record per push of a request: each carries the whole request and the
// index of its push, so that pushes of different calls in one request route apart. The pushes
// carry their tenant already (the edge applied its configured default).
func Encode(vendor string, req platform.Request, pushes []call.Push, scope string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(attrs.Vendor, vendor)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(scope)
	headers := forwardedHeaders(req.Header)
	for i := range pushes {
		p := &pushes[i]
		lr := sl.LogRecords().AppendEmpty()
		arrival := pcommon.NewTimestampFromTime(req.Arrival)
		lr.SetTimestamp(arrival)
		lr.SetObservedTimestamp(arrival)
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
		lr.Body().SetEmptyBytes().FromRaw(req.Body) // bytes: a body need not be valid UTF-8
		// A push of no call routes by its dedup key, so that its retries reach the collector that
		// remembers it; without one (a new event each time) by its place and arrival.
		fallback := p.DedupKey
		if fallback == "" {
			fallback = strconv.Itoa(i) + "/" + strconv.FormatInt(req.Arrival.UnixNano(), 10)
		}
		id, from := traces.RoutingID(p, fallback)
		lr.SetTraceID(id)
		a := lr.Attributes()
		a.PutStr(attrs.EventName, EventName)
		a.PutStr(attrs.Vendor, vendor)
		if p.Tenant != "" {
			a.PutStr(attrs.TenantID, p.Tenant)
		}
		a.PutStr(attrs.EdgeQuery, req.Query.Encode())
		a.PutStr(attrs.EdgeTimezone, req.Location.String())
		a.PutInt(attrs.EdgePushIndex, int64(i))
		a.PutInt(attrs.EdgePushCount, int64(len(pushes)))
		a.PutStr(attrs.EdgeRoutingKey, from)
		h := a.PutEmptyMap(attrs.EdgeHeaders)
		for name, values := range headers {
			s := h.PutEmptySlice(name)
			for _, v := range values {
				s.AppendEmpty().SetStr(v)
			}
		}
	}
	return ld
}

func forwardedHeaders(h http.Header) http.Header {
	out := http.Header{}
	for name, values := range h {
		if !withheld[http.CanonicalHeaderKey(name)] {
			out[name] = values
		}
	}
	return out
}

// Push is one edge record read back.
type Push struct {
	Vendor  string
	Tenant  string
	Request platform.Request
	// Index is which of the request's pushes the record is; Count how many it decoded into.
	Index, Count int
}

// Decode reads an edge record; the error says which part is missing or unreadable.
func Decode(lr plog.LogRecord) (Push, error) {
	a := lr.Attributes()
	str := func(key string) string {
		v, _ := a.Get(key)
		return v.Str()
	}
	p := Push{Vendor: str(attrs.Vendor), Tenant: str(attrs.TenantID)}
	if name, _ := a.Get(attrs.EventName); name.Str() != EventName {
		return p, fmt.Errorf("not an edge record: %s is %q, not %s", attrs.EventName, name.Str(), EventName)
	}
	if p.Vendor == "" {
		return p, errors.New("edge record without " + attrs.Vendor)
	}
	index, okIndex := a.Get(attrs.EdgePushIndex)
	count, okCount := a.Get(attrs.EdgePushCount)
	if !okIndex || !okCount || index.Int() < 0 || index.Int() >= count.Int() {
		return p, fmt.Errorf("edge record of %s without a valid %s and %s", p.Vendor, attrs.EdgePushIndex, attrs.EdgePushCount)
	}
	p.Index, p.Count = int(index.Int()), int(count.Int())
	query, err := url.ParseQuery(str(attrs.EdgeQuery))
	if err != nil {
		return p, fmt.Errorf("edge record of %s: %s: %w", p.Vendor, attrs.EdgeQuery, err)
	}
	loc, err := location(str(attrs.EdgeTimezone))
	if err != nil {
		return p, fmt.Errorf("edge record of %s: %s: %w", p.Vendor, attrs.EdgeTimezone, err)
	}
	if lr.Body().Type() != pcommon.ValueTypeBytes {
		return p, fmt.Errorf("edge record of %s: the body is %s, not the request's bytes", p.Vendor, lr.Body().Type())
	}
	header := http.Header{}
	if h, ok := a.Get(attrs.EdgeHeaders); ok && h.Type() == pcommon.ValueTypeMap {
		for name, values := range h.Map().All() {
			for _, v := range values.Slice().All() {
				header.Add(name, v.Str())
			}
		}
	}
	p.Request = platform.Request{
		Query:    query,
		Header:   header,
		Body:     lr.Body().Bytes().AsRaw(),
		Arrival:  lr.ObservedTimestamp().AsTime(),
		Location: loc,
	}
	return p, nil
}

// locations are the time zones edge records named, loaded once: time.LoadLocation reads and
// parses the zone data on every call, and every record of an edge names the same zone.
var locations sync.Map // name → *time.Location

func location(name string) (*time.Location, error) {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}
