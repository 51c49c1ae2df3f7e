package logs

import (
	"crypto/sha1" //nolint:gosec // UUIDv5 is defined on SHA-1 (RFC 9562 §5.5); it names, it does not protect
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// uidNamespace is the namespace of the receiver's log record UIDs (a random UUID, fixed forever:
// changing it would change every UID).
var uidNamespace = [16]byte{0x6d, 0x0c, 0x5a, 0x3e, 0x8b, 0x41, 0x4f, 0x7a, 0x9e, 0x52, 0x1c, 0xd3, 0x07, 0x68, 0xb4, 0x2f}

// PushUID is the log.record.uid of a push the vendor identifies (its dedup key: TCCC's
// X-TCCC-PUSH-UUID, 得助's record id, Udesk's conversation, occasion and time): every retry of
// the push, on any replica and after any restart, carries the UID of its first try, so that
// whatever logs it twice after a crash can drop the copy.
func PushUID(vendor, tenant, dedupKey string) string {
	return uuid5("push", vendor, tenant, dedupKey)
}

// EventUID is the log.record.uid of a push its vendor does not identify (UinCall pushes carry no
// id and are never retried): the event's place in its call or agent timeline, its name and
// number among the session's events. Two identical bodies are two events, and two UIDs.
func EventUID(vendor, tenant, session, eventKey string) string {
	return uuid5("event", vendor, tenant, session, eventKey)
}

// ArrivalUID is the log.record.uid of a push that is neither identified nor part of a call or
// agent timeline: its arrival and its body. Unique, but a copy sent again is a new record.
func ArrivalUID(vendor, tenant string, arrival time.Time, payload pcommon.Map) string {
	// The body as plain values encoded by encoding/json, map keys sorted: the name these UIDs
	// were made of since the first, when the payload was plain values.
	var raw map[string]any
	if payload != (pcommon.Map{}) {
		raw = payload.AsRaw()
	}
	body, _ := json.Marshal(raw) // decoded JSON always encodes
	return uuid5("arrival", vendor, tenant, strconv.FormatInt(arrival.UnixNano(), 10), string(body))
}

// uuid5 is the RFC 9562 name-based UUID (version 5) of the parts, each written as a netstring
// ("4:tccc,"), so that no two lists of parts make the same name.
func uuid5(parts ...string) string {
	h := sha1.New() //nolint:gosec // see the import
	h.Write(uidNamespace[:])
	for _, part := range parts {
		h.Write([]byte(strconv.Itoa(len(part)) + ":" + part + ","))
	}
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
