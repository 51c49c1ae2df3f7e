// Package privacy protects the phone numbers of pushes before anything leaves the receiver: in
// the call model (and so in every attribute and span built from it) and in the vendor's payload
// kept as the log body. A number is kept, masked, or replaced by a keyed hash that is the same
// for the same number in every record.
package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// Mode is what happens to phone numbers.
type Mode string

const (
	Keep Mode = "keep" // as the vendor sent them
	Mask Mode = "mask" // 139****5678: the first three and last four characters stay
	Hash Mode = "hash" // hmac:<hex>, HMAC-SHA256 with the configured key: searchable, not readable
)

// MinKeyLength is the shortest hash key accepted.
const MinKeyLength = 16

// Protector applies a mode.
type Protector struct {
	mode Mode
	key  []byte
}

// New returns a protector; Validate the mode and key first.
func New(mode Mode, key string) *Protector {
	return &Protector{mode: mode, key: []byte(key)}
}

// Validate checks a mode and its key; messages name the field.
func Validate(mode Mode, key string) error {
	switch mode {
	case Keep, Mask:
		return nil
	case Hash:
		if len(key) < MinKeyLength {
			return fmt.Errorf("hash_key: must be at least %d characters for phone_numbers: hash", MinKeyLength)
		}
		return nil
	}
	return fmt.Errorf("phone_numbers: %q must be keep, mask or hash", mode)
}

// Apply protects the phone numbers of a push: those of its call and recording, and those of its
// payload at the paths the vendor declares (see PhoneFields).
func (p *Protector) Apply(push *call.Push, phoneFields []string) {
	if p.mode == Keep {
		return
	}
	c := &push.Call
	c.Caller, c.Callee = p.Number(c.Caller), p.Number(c.Callee)
	c.Agent.Phone = p.Number(c.Agent.Phone)
	for i := range c.Legs {
		c.Legs[i].Agent.Phone = p.Number(c.Legs[i].Agent.Phone)
	}
	if r := push.Recording; r != nil && looksLikeNumber(r.EndpointUser) {
		r.EndpointUser = p.Number(r.EndpointUser)
	}
	if push.Payload == (pcommon.Map{}) {
		return // a push made without a body
	}
	for _, path := range phoneFields {
		p.protectPath(push.Payload, path)
	}
}

// Number protects one phone number; the empty string stays empty.
func (p *Protector) Number(n string) string {
	if n == "" {
		return n
	}
	switch p.mode {
	case Mask:
		return mask(n)
	case Hash:
		mac := hmac.New(sha256.New, p.key)
		mac.Write([]byte(normalize(n)))
		return "hmac:" + hex.EncodeToString(mac.Sum(nil)[:12])
	default:
		return n
	}
}

// protectPath walks a dotted path of the payload; a segment ending in [] walks every element of
// an array. Values that are numbers in the JSON are protected too (TCCC sends EndpointUser as a
// number).
func (p *Protector) protectPath(m pcommon.Map, path string) {
	segment, rest, deeper := strings.Cut(path, ".")
	key, each := strings.CutSuffix(segment, "[]")
	v, ok := m.Get(key)
	if !ok {
		return
	}
	switch {
	case each:
		if v.Type() != pcommon.ValueTypeSlice || !deeper {
			return
		}
		for _, it := range v.Slice().All() {
			if it.Type() == pcommon.ValueTypeMap {
				p.protectPath(it.Map(), rest)
			}
		}
	case deeper:
		if v.Type() == pcommon.ValueTypeMap {
			p.protectPath(v.Map(), rest)
		}
	default:
		if s := scalar(v); s != "" && looksLikeNumber(s) {
			v.SetStr(p.Number(s))
		}
	}
}

func scalar(v pcommon.Value) string {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str()
	case pcommon.ValueTypeInt:
		return strconv.FormatInt(v.Int(), 10)
	case pcommon.ValueTypeDouble:
		return strconv.FormatInt(int64(v.Double()), 10)
	default:
		return ""
	}
}

// looksLikeNumber tells a phone number from an email or a name: mostly digits.
func looksLikeNumber(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() *xX", r):
		default:
			return false
		}
	}
	return digits >= 3
}

func mask(n string) string {
	r := []rune(n)
	keepHead, keepTail := 3, 4
	if len(r) < 8 {
		keepHead, keepTail = 0, min(2, len(r)-1)
	}
	for i := keepHead; i < len(r)-keepTail; i++ {
		r[i] = '*'
	}
	return string(r)
}

// normalize makes the same number hash the same however a vendor writes it: digits only, and
// China's country code dropped from a mobile number (0086 184…, +86 184…, 184…).
func normalize(n string) string {
	var b strings.Builder
	for _, r := range n {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	for _, cc := range []string{"0086", "86"} {
		if rest, ok := strings.CutPrefix(d, cc); ok && len(rest) == 11 && rest[0] == '1' {
			return rest
		}
	}
	return d
}
