package traces

import (
	"crypto/sha256"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// TraceID is the trace of a session: a hash of who reported it and its ID, so that every push
// of a call, retried, late or received by another replica, lands in the same trace.
func TraceID(vendor, tenant, session string) pcommon.TraceID {
	sum := sha256.Sum256([]byte("callcenter trace\x00" + vendor + "\x00" + tenant + "\x00" + session))
	var id pcommon.TraceID
	copy(id[:], sum[:])
	if id.IsEmpty() {
		id[0] = 1 // the all-zero ID is invalid
	}
	return id
}

// SpanID is the span of a phase of a trace: the same phase of the same call always gets it.
func SpanID(trace pcommon.TraceID, key string) pcommon.SpanID {
	sum := sha256.Sum256(append(trace[:], []byte("\x00"+key)...))
	var id pcommon.SpanID
	copy(id[:], sum[:])
	if id.IsEmpty() {
		id[0] = 1
	}
	return id
}
