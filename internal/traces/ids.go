package traces

import (
	"crypto/sha256"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// TraceID is the trace of a session: a hash of who reported it and its ID, so that every push
// of a call, retried, late or received by another replica, lands in the same trace.
func TraceID(vendor, tenant, session string) pcommon.TraceID {
	var buf [128]byte // the hashed text is built here, not allocated, when it fits
	b := append(buf[:0], "callcenter trace\x00"...)
	b = append(append(b, vendor...), 0)
	b = append(append(b, tenant...), 0)
	b = append(b, session...)
	sum := sha256.Sum256(b)
	var id pcommon.TraceID
	copy(id[:], sum[:])
	if id.IsEmpty() {
		id[0] = 1 // the all-zero ID is invalid
	}
	return id
}

// SpanID is the span of a phase of a trace: the same phase of the same call always gets it.
func SpanID(trace pcommon.TraceID, key string) pcommon.SpanID {
	var buf [80]byte
	b := append(append(buf[:0], trace[:]...), 0)
	b = append(b, key...)
	sum := sha256.Sum256(b)
	var id pcommon.SpanID
	copy(id[:], sum[:])
	if id.IsEmpty() {
		id[0] = 1
	}
	return id
}

// spanIDs are the span IDs of one trace. The root's is computed once, and the last few others
// are kept: a span's parent is the root or a leg computed just before.
type spanIDs struct {
	trace  pcommon.TraceID
	root   pcommon.SpanID
	recent [4]keyedID
	next   int
}

type keyedID struct {
	key string
	id  pcommon.SpanID
}

func newSpanIDs(trace pcommon.TraceID) spanIDs {
	return spanIDs{trace: trace, root: SpanID(trace, RootKey)}
}

func (c *spanIDs) of(key string) pcommon.SpanID {
	if key == RootKey {
		return c.root
	}
	for _, r := range c.recent {
		if r.key == key && key != "" {
			return r.id
		}
	}
	id := SpanID(c.trace, key)
	c.recent[c.next] = keyedID{key: key, id: id}
	c.next = (c.next + 1) % len(c.recent)
	return id
}
