//go:build backends

package backends

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// logsQL runs a LogsQL query over all time and returns the records (or stats rows) it gives.
func logsQL(ctx context.Context, base, query string) ([]map[string]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/select/logsql/query?"+url.Values{"query": {query}}.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s: %s", query, resp.Status, buf.String())
	}
	var out []map[string]string
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec map[string]string
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s: %w", query, err)
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}

// settle retries check until it succeeds, for at most 15 s, and fails the test with its last
// error: the stores make what they received searchable shortly after it arrived.
func settle(t *testing.T, check func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// jaegerTrace is a trace as Jaeger's query API (/api/traces/{id}) gives it.
type jaegerTrace struct {
	Spans     []jaegerSpan `json:"spans"`
	Processes map[string]struct {
		ServiceName string      `json:"serviceName"`
		Tags        []jaegerTag `json:"tags"`
	} `json:"processes"`
}

type jaegerTag struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

func tag(tags []jaegerTag, key string) string {
	for _, t := range tags {
		if t.Key == key {
			return fmt.Sprint(t.Value)
		}
	}
	return ""
}

func fetchTrace(ctx context.Context, base, traceID string) (jaegerTrace, error) {
	var answer struct {
		Data []jaegerTrace `json:"data"`
	}
	if err := getJSON(ctx, base, "/api/traces/"+traceID, nil, &answer); err != nil {
		return jaegerTrace{}, err
	}
	if len(answer.Data) != 1 {
		return jaegerTrace{}, fmt.Errorf("trace %s: %d traces", traceID, len(answer.Data))
	}
	return answer.Data[0], nil
}

// sampleCalls picks, per vendor, the first call of each kind whose trace shape differs: an
// inbound call answered after a transfer, one answered without, one abandoned in the queue, and an
// answered outbound call.
func sampleCalls(calls []traffic.Call) []traffic.Call {
	kinds := []func(traffic.Call) bool{
		func(c traffic.Call) bool {
			return c.Direction == "inbound" && c.EndStatus == "answered" && c.Transfers > 0
		},
		func(c traffic.Call) bool {
			return c.Direction == "inbound" && c.EndStatus == "answered" && c.Transfers == 0
		},
		func(c traffic.Call) bool { return c.EndStatus == "abandoned_in_queue" },
		func(c traffic.Call) bool { return c.Direction == "outbound" && c.EndStatus == "answered" },
	}
	var out []traffic.Call
	for _, vendor := range traffic.Vendors {
		for _, kind := range kinds {
			for _, c := range calls {
				if c.Vendor == vendor && kind(c) {
					out = append(out, c)
					break
				}
			}
		}
	}
	return out
}

// checkCallsAndTraces finds sample calls in VictoriaLogs by session ID, as a user finds a call,
// follows each record's trace ID to Jaeger and checks the trace's tree against the call.
func checkCallsAndTraces(t *testing.T, s *stack, r run) {
	ctx := context.Background()
	for _, c := range sampleCalls(r.calls) {
		t.Run(c.Vendor+" "+c.Direction+" "+c.EndStatus+" transfers="+strconv.Itoa(c.Transfers), func(t *testing.T) {
			var records []map[string]string
			// VictoriaLogs makes what it ingested searchable within about a second.
			settle(t, func() error {
				var err error
				records, err = logsQL(ctx, s.victoriaLogs, `callcenter.session.id:=`+strconv.Quote(c.Session))
				if err == nil && len(records) == 0 {
					err = fmt.Errorf("no record of session %s in VictoriaLogs", c.Session)
				}
				return err
			})
			traceID := records[0]["trace_id"]
			require.NotEmpty(t, traceID, "the record carries its trace ID: %v", records[0])
			for _, rec := range records {
				assert.Equal(t, traceID, rec["trace_id"], "every record of the call is in one trace")
				assert.Equal(t, c.Vendor, rec["callcenter.vendor"])
			}
			var trace jaegerTrace
			settle(t, func() error { // Jaeger's batch processor holds spans for up to 200 ms
				var err error
				trace, err = fetchTrace(ctx, s.jaeger, traceID)
				return err
			})
			checkTree(t, c, trace)
		})
	}
}

// checkTree checks the spans of a call's trace: one root with the call's attributes, every other
// span under a span of the trace, and the phases of the call where the truth has them.
func checkTree(t *testing.T, c traffic.Call, trace jaegerTrace) {
	t.Helper()
	byID := map[string]int{}
	for i, sp := range trace.Spans {
		byID[sp.SpanID] = i
	}
	parentOf := func(i int) (string, bool) {
		for _, ref := range trace.Spans[i].References {
			if ref.RefType == "CHILD_OF" {
				p, ok := byID[ref.SpanID]
				if !ok {
					return "?", true // an orphan: reported below
				}
				return trace.Spans[p].OperationName, true
			}
		}
		return "", false
	}
	names := map[string]int{}
	underRoot := map[string]bool{}
	root := -1
	for i, sp := range trace.Spans {
		names[sp.OperationName]++
		parent, hasParent := parentOf(i)
		assert.NotEqual(t, "?", parent, "span %s has its parent in the trace", sp.OperationName)
		if !hasParent {
			assert.Equal(t, -1, root, "one root")
			root = i
			continue
		}
		if parent == c.Direction+" call" {
			underRoot[sp.OperationName] = true
		}
	}
	require.NotEqual(t, -1, root, "the trace has a root")
	rs := trace.Spans[root]
	assert.Equal(t, c.Direction+" call", rs.OperationName, "the root is the call")
	assert.Equal(t, c.Session, tag(rs.Tags, "callcenter.session.id"))
	assert.Equal(t, c.EndStatus, tag(rs.Tags, "callcenter.end_status"))
	assert.Equal(t, c.Direction, tag(rs.Tags, "callcenter.direction"))
	process := trace.Processes[rs.ProcessID]
	assert.Equal(t, "callcenter-"+c.Vendor, process.ServiceName)
	assert.Equal(t, c.Vendor, tag(process.Tags, "callcenter.vendor"))
	if c.EndStatus == "abandoned_in_queue" {
		assert.Equal(t, "true", tag(rs.Tags, "error"), "an abandoned call's root has an error status")
	}
	if c.EndStatus == "answered" {
		assert.Positive(t, names["talk"], "an answered call has its talk: %v", names)
	}

	if !c.Timed {
		return // UinCall: its phases are the receiver's, from arrival times
	}
	for phase, span := range map[string]string{"ivr": "ivr", "queue": "queue", "acw": "after-call work"} {
		_, want := c.Phases[phase]
		switch {
		case want:
			assert.True(t, underRoot[span], "the call's %s under the root: %v", span, names)
		case phase == "ivr" && underRoot[span]:
			// 得助 reports no IVR time, but a call that queued after it began spent the time
			// before in the IVR: a span placed from the times around it, marked derived.
			assert.Equal(t, "true", tag(spanNamed(trace, span).Tags, "callcenter.span.derived"), "an IVR the vendor did not report is derived")
		default:
			assert.False(t, underRoot[span], "no %s the call did not have: %v", span, names)
		}
	}
	if c.Direction == "inbound" && c.EndStatus == "answered" {
		assert.Positive(t, names["agent leg"], "each agent's leg: %v", names)
	}
	if c.Vendor == "tccc" && c.Transfers > 0 {
		// TCCC: "ServeParticipants 每一条数据代表了一次服务轨迹" (each element is one service leg,
		// transfers included): one leg per agent, each after the first linked to the previous.
		assert.Equal(t, 1+c.Transfers, names["agent leg"], "one leg per agent: %v", names)
		links := 0
		for _, sp := range trace.Spans {
			for _, ref := range sp.References {
				if sp.OperationName == "agent leg" && ref.RefType == "FOLLOWS_FROM" {
					links++
				}
			}
		}
		assert.Equal(t, c.Transfers, links, "each transfer links the next leg to the previous")
	}
}

type jaegerSpan = struct {
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	References    []struct {
		RefType string `json:"refType"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
	Tags      []jaegerTag `json:"tags"`
	ProcessID string      `json:"processID"`
}

func spanNamed(trace jaegerTrace, name string) jaegerSpan {
	for _, sp := range trace.Spans {
		if sp.OperationName == name {
			return sp
		}
	}
	return jaegerSpan{}
}

// checkCallRecordCounts runs the Call explorer's filters (vendor, end status) as LogsQL in
// VictoriaLogs: each vendor that sends a final record has one call record per call, by end status;
// Udesk one per conversation (udeskConversations).
func checkCallRecordCounts(t *testing.T, s *stack, r run) {
	ctx := context.Background()
	conversations := udeskConversations(r.pushes)
	for _, vendor := range []string{"tccc", "udesk", "dezhu"} { // UinCall sends events, no record
		want := map[string]int{}
		for _, c := range callsOf(r.calls, vendor) {
			want[c.EndStatus] += max(conversations[c.Session], 1)
		}
		for status, n := range want {
			q := fmt.Sprintf(`event.name:="callcenter.call_record" callcenter.vendor:=%q callcenter.end_status:=%q | stats count() as n`, vendor, status)
			settle(t, func() error {
				rows, err := logsQL(ctx, s.victoriaLogs, q)
				switch {
				case err != nil:
					return err
				case len(rows) != 1 || rows[0]["n"] != strconv.Itoa(n):
					return fmt.Errorf("%s: %v, want %d call records", q, rows, n)
				}
				return nil
			})
		}
	}
}

// udeskConversations counts the conversations of each Udesk call that has more than one, by the
// call's session (its first conversation_id). Udesk pushes one end per conversation: "每条通话必有且
// 仅有一条推送的occasion为“end”" (Udesk call event push), and a transfer may be a conversation of
// its own, with the call's call_id ("同一客户一系列通话唯一id"): its end is a second call record.
// The traffic makes such transfers of answered calls only, each conversation answered by its agent,
// so both records have the call's end status.
func udeskConversations(pushes []traffic.Push) map[string]int {
	byCall := map[string]map[string]bool{} // call_id → conversation_ids with an end
	for _, p := range pushes {
		var body struct {
			CallID       string          `json:"call_id"`
			Conversation json.RawMessage `json:"conversation_id"`
			Occasion     string          `json:"occasion"`
		}
		if p.Vendor != "udesk" || p.Repeat || json.Unmarshal(p.Body, &body) != nil || body.Occasion != "end" {
			continue
		}
		if byCall[body.CallID] == nil {
			byCall[body.CallID] = map[string]bool{}
		}
		byCall[body.CallID][string(body.Conversation)] = true
	}
	out := map[string]int{}
	for _, conversations := range byCall {
		if len(conversations) < 2 {
			continue
		}
		for id := range conversations {
			out[strings.Trim(id, `"`)] = len(conversations) // the call's session is one of them
		}
	}
	return out
}
