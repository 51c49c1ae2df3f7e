package session

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// A closed session waits, for late pushes and retries, until sessions.idle_timeout: up to
// sessions.max_open of them, nearly all of them never touched again. Decoded, each is a Session
// and a call.Call full of pointers, which every GC cycle scans: with 100000 held calls, a full
// cycle took 160 ms and the collector's CPU per push a fifth more. So the tracker keeps only
// the newest closed sessions decoded, and the others as bytes the GC does not scan: frozen by
// freeze, decoded again by thaw when a push, a claim or a sweep needs them.
//
// The encoding lives only in memory, within one process: the saved state (Snapshot, JSON) is
// unchanged. Times keep their instant and their zone's name and offset at that instant, not
// their monotonic reading or their *time.Location (a fixed zone of the same name and offset
// stands in, which formats them the same).

// frozen is a closed session kept as bytes, with what the tracker's sweeps read of every
// closed session without decoding it.
type frozen struct {
	seen, closed int64 // Session.Seen and Session.Closed, Unix nanoseconds
	data         []byte
	reportedAt   int  // where in data the reported items start (claim)
	events       bool // the session has events (Tracker.holdsBack)
}

// errUnfreezable is a session holding a value the encoding has no tag for: it stays decoded.
var errUnfreezable = errors.New("session: a value the encoding does not know")

// freeze encodes a closed session whole, reported items and settled count included. It writes
// into scratch, whose grown buffer it returns for the next call, and keeps an exact copy.
func freeze(s *Session, scratch []byte) (*frozen, []byte, error) {
	w := writer{buf: scratch[:0]}
	w.header(s)
	w.time(s.Opened)
	w.time(s.Seen)
	w.call(&s.Call)
	w.len(len(s.Events), s.Events == nil)
	for i := range s.Events {
		w.event(&s.Events[i])
	}
	// The record is one of the segments' (a call of one segment) or a join of them.
	shared := -1
	for i := range s.Segments {
		if s.Record != nil && s.Segments[i].Record == s.Record {
			shared = i
		}
		w.optCall(s.Segments[i].Record)
	}
	switch {
	case s.Record == nil:
		w.uint(0)
	case shared >= 0:
		w.uint(1)
		w.uint(uint64(shared))
	default:
		w.uint(2)
		w.call(s.Record)
	}
	w.str(string(s.Closure))
	w.time(s.Closed)
	reportedAt := len(w.buf)
	w.uint(uint64(len(s.reported)))
	for k := range s.reported {
		w.str(k)
	}
	w.uint(uint64(s.settled))
	w.uint(uint64(s.ordered))
	w.uint(uint64(s.endless))
	if w.err != nil {
		return nil, w.buf, w.err
	}
	data := make([]byte, len(w.buf))
	copy(data, w.buf)
	return &frozen{seen: unixNano(s.Seen), closed: unixNano(s.Closed), data: data, reportedAt: reportedAt,
		events: len(s.Events) > 0}, w.buf, nil
}

// claim marks items reported in a frozen session without thawing it, as Tracker.Claim marks
// them in a decoded one, and returns those not reported before. The reported items are the tail
// of the bytes: a claim reads only them, and writes them again with the fresh ones into a new
// frozen session (claimed), since the bytes of one never change; claimed is f when nothing was
// fresh. Most claims of a frozen session are of a call past its grace: all of it sent with its
// pushes but the spans it held back, which thawing it for would cost a thaw and, to make room
// among the warm ones, a freeze. ok is false, and nothing claimed, for more than 64 items or
// bytes it cannot read: the session is thawed then.
func (f *frozen) claim(items []string) (fresh []string, claimed *frozen, ok bool) {
	if len(items) > 64 {
		return nil, nil, false
	}
	r := reader{buf: f.data[f.reportedAt:]}
	n := r.uint()
	keysAt := len(f.data) - len(r.buf)
	var found uint64 // a bit per item reported before
	for i := uint64(0); i < n && r.err == nil; i++ {
		k := r.bytes()
		for j, it := range items {
			if it == string(k) {
				found |= 1 << j
			}
		}
	}
	if r.err != nil {
		return nil, nil, false
	}
	tail := r.buf // settled, ordered, endless
	for j, it := range items {
		if found&(1<<j) == 0 && !slices.Contains(fresh, it) {
			fresh = append(fresh, it)
		}
	}
	if len(fresh) == 0 {
		return nil, f, true
	}
	w := writer{buf: make([]byte, 0, len(f.data)+len(fresh)*16)}
	w.buf = append(w.buf, f.data[:f.reportedAt]...)
	w.uint(n + uint64(len(fresh)))
	w.buf = append(w.buf, f.data[keysAt:len(f.data)-len(tail)]...)
	for _, it := range fresh {
		w.str(it)
	}
	w.buf = append(w.buf, tail...)
	c := *f
	c.data = w.buf
	return fresh, &c, true
}

// thaw decodes a frozen session.
func (f *frozen) thaw() *Session {
	r := reader{buf: f.data}
	s := &Session{}
	var ids []string
	s.Key, s.Group, ids = r.header()
	s.Opened = r.time()
	s.Seen = r.time()
	r.call(&s.Call)
	if n, isNil := r.len(); !isNil {
		s.Events = make([]Event, n)
		for i := range s.Events {
			r.event(&s.Events[i])
		}
	}
	if ids != nil {
		s.Segments = make([]Segment, len(ids))
		for i, id := range ids {
			s.Segments[i] = Segment{ID: id, Record: r.optCall()}
		}
	}
	switch r.uint() {
	case 1:
		s.Record = s.Segments[r.uint()].Record
	case 2:
		s.Record = new(call.Call)
		r.call(s.Record)
	}
	s.Closure = Closure(r.str())
	s.Closed = r.time()
	n := r.uint()
	s.reported = make(map[string]bool, n)
	for range n {
		s.reported[r.str()] = true
	}
	s.settled = int(r.uint())
	s.ordered = int(r.uint())
	s.endless = int(r.uint())
	if r.err != nil {
		panic("session: a frozen session does not decode: " + r.err.Error()) // our own bytes
	}
	return s
}

// ids reads what forgetting a frozen session needs: its key, group and segments.
func (f *frozen) ids() (Key, string, []string) {
	r := reader{buf: f.data}
	return r.header()
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

// fromUnixNano is a frozen time back as a time.Time, to compare with as the sweeps do.
func fromUnixNano(ns int64) time.Time {
	if ns == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

type writer struct {
	buf []byte
	err error
}

func (w *writer) uint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }
func (w *writer) int(v int64)   { w.buf = binary.AppendVarint(w.buf, v) }

func (w *writer) str(s string) {
	w.uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// len writes a slice's length, keeping nil and empty apart: 0 for nil, else length+1.
func (w *writer) len(n int, isNil bool) {
	if isNil {
		w.uint(0)
	} else {
		w.uint(uint64(n) + 1)
	}
}

func (w *writer) strs(ss []string) {
	w.len(len(ss), ss == nil)
	for _, s := range ss {
		w.str(s)
	}
}

func (w *writer) bool(b bool) {
	if b {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

// Time zones: none (the zero time), UTC, Local, or another zone by name and offset.
const (
	zoneNone = iota
	zoneUTC
	zoneLocal
	zoneFixed
)

func (w *writer) time(t time.Time) {
	switch {
	case t.IsZero():
		w.uint(zoneNone)
		return
	case t.Location() == time.UTC:
		w.uint(zoneUTC)
	case t.Location() == time.Local:
		w.uint(zoneLocal)
	default:
		name, offset := t.Zone()
		w.uint(zoneFixed)
		w.str(name)
		w.int(int64(offset))
	}
	w.int(t.Unix())
	w.uint(uint64(t.Nanosecond()))
}

func (w *writer) header(s *Session) {
	w.str(s.Key.Vendor)
	w.str(s.Key.Tenant)
	w.str(s.Key.ID)
	w.str(s.Group)
	w.len(len(s.Segments), s.Segments == nil)
	for _, g := range s.Segments {
		w.str(g.ID)
	}
}

func (w *writer) optCall(c *call.Call) {
	w.bool(c != nil)
	if c != nil {
		w.call(c)
	}
}

func (w *writer) call(c *call.Call) {
	w.str(c.SessionID)
	w.str(c.CallID)
	w.str(string(c.Direction))
	w.str(c.Caller)
	w.str(c.Callee)
	l := &c.CustomerLocation
	w.str(l.Text)
	w.str(l.Country)
	w.str(l.Province)
	w.str(l.City)
	w.str(l.Carrier)
	w.time(c.Start)
	w.time(c.Queued)
	w.time(c.Ring)
	w.time(c.Answer)
	w.time(c.End)
	w.durations(c.Durations)
	w.queue(c.Queue)
	w.agent(&c.Agent)
	w.len(len(c.Legs), c.Legs == nil)
	for i := range c.Legs {
		w.leg(&c.Legs[i])
	}
	w.keys(c.IVRKeys)
	w.keys(c.PostIVRKeys)
	w.str(c.IVRPath)
	w.str(string(c.EndStatus))
	w.str(c.RawEndStatus)
	w.str(string(c.HangupSide))
	w.str(c.RawHangup)
	w.str(string(c.Satisfaction))
	w.str(c.RawSatisfaction)
	w.str(c.RecordingID)
	w.strs(c.RecordingURLs)
	w.int(int64(c.Transfers))
	w.anyMap(c.Custom)
}

// durations keeps nil and empty apart: a joined record has an empty map of its own.
func (w *writer) durations(d map[call.Phase]time.Duration) {
	w.bool(d != nil)
	if d == nil {
		return
	}
	w.uint(uint64(len(d)))
	for p, v := range d {
		w.str(string(p))
		w.int(int64(v))
	}
}

func (w *writer) queue(q call.Queue) {
	w.str(q.ID)
	w.str(q.Name)
}

func (w *writer) agent(a *call.Agent) {
	w.str(a.ID)
	w.str(a.Name)
	w.str(a.Nick)
	w.str(a.Email)
	w.str(a.StaffNumber)
	w.str(a.Phone)
	w.strs(a.Groups)
}

func (w *writer) leg(l *call.Leg) {
	w.int(int64(l.Sequence))
	w.agent(&l.Agent)
	w.str(l.Type)
	w.queue(l.SkillGroup)
	w.time(l.Start)
	w.time(l.Ring)
	w.time(l.Answer)
	w.time(l.End)
	w.str(string(l.EndStatus))
	w.str(l.RawEndStatus)
	w.str(l.RecordingID)
	w.str(l.TransferFrom)
	w.str(l.TransferFromType)
	w.str(l.TransferTo)
	w.str(l.TransferToType)
	w.int(int64(l.Priority))
}

func (w *writer) keys(ks []call.Key) {
	w.len(len(ks), ks == nil)
	for _, k := range ks {
		w.str(k.Key)
		w.str(k.Label)
	}
}

func (w *writer) event(e *Event) {
	w.str(string(e.Type))
	w.str(e.Name)
	w.time(e.Time)
	w.bool(e.Timed)
	w.agent(&e.Agent)
	w.anyMap(e.Details)
	w.str(e.Key)
	w.str(e.Segment)
}

// Tags of the free-form values (custom fields, event details): what encoding/json and the
// vendors' decoders put there.
const (
	tagNil = iota
	tagString
	tagTrue
	tagFalse
	tagInt64
	tagFloat64
	tagInt
	tagNumber
	tagSlice
	tagMap
	tagNilMap // a map[string]any that is nil
)

func (w *writer) anyMap(m map[string]any) {
	if m == nil {
		w.uint(tagNilMap)
		return
	}
	w.uint(tagMap)
	w.uint(uint64(len(m)))
	for k, v := range m {
		w.str(k)
		w.value(v)
	}
}

func (w *writer) value(v any) {
	switch t := v.(type) {
	case nil:
		w.uint(tagNil)
	case string:
		w.uint(tagString)
		w.str(t)
	case bool:
		if t {
			w.uint(tagTrue)
		} else {
			w.uint(tagFalse)
		}
	case int64:
		w.uint(tagInt64)
		w.int(t)
	case float64:
		w.uint(tagFloat64)
		w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(t))
	case int:
		w.uint(tagInt)
		w.int(int64(t))
	case json.Number:
		w.uint(tagNumber)
		w.str(string(t))
	case []any:
		w.uint(tagSlice)
		w.len(len(t), t == nil)
		for _, e := range t {
			w.value(e)
		}
	case map[string]any:
		w.anyMap(t)
	default:
		w.err = errUnfreezable
	}
}

type reader struct {
	buf []byte
	err error
}

var errShort = errors.New("truncated")

func (r *reader) uint() uint64 { return varint(r, binary.Uvarint) }
func (r *reader) int() int64   { return varint(r, binary.Varint) }

// varint reads what writer.uint or writer.int wrote, with the matching decoder of binary.
func varint[T uint64 | int64](r *reader, decode func([]byte) (T, int)) T {
	v, n := decode(r.buf)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

func (r *reader) fail() {
	r.err = errShort
	r.buf = nil
}

func (r *reader) str() string { return string(r.bytes()) }

// bytes reads a string's bytes, without copying them.
func (r *reader) bytes() []byte {
	n := r.uint()
	if n > uint64(len(r.buf)) {
		r.fail()
		return nil
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b
}

// len reads what writer.len wrote.
func (r *reader) len() (n int, isNil bool) {
	v := r.uint()
	if v == 0 {
		return 0, true
	}
	return int(min(v-1, uint64(len(r.buf)))), false // no more elements than bytes left
}

func (r *reader) strs() []string {
	n, isNil := r.len()
	if isNil {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *reader) bool() bool {
	if len(r.buf) == 0 {
		r.fail()
		return false
	}
	b := r.buf[0] == 1
	r.buf = r.buf[1:]
	return b
}

func (r *reader) time() time.Time {
	var loc *time.Location
	switch r.uint() {
	case zoneNone:
		return time.Time{}
	case zoneUTC:
		loc = time.UTC
	case zoneLocal:
		loc = time.Local
	default:
		name := r.str()
		loc = time.FixedZone(name, int(r.int()))
	}
	sec := r.int()
	return time.Unix(sec, int64(r.uint())).In(loc)
}

func (r *reader) header() (k Key, group string, segments []string) {
	k.Vendor, k.Tenant, k.ID = r.str(), r.str(), r.str()
	group = r.str()
	segments = r.strs()
	return k, group, segments
}

func (r *reader) optCall() *call.Call {
	if !r.bool() {
		return nil
	}
	c := new(call.Call)
	r.call(c)
	return c
}

func (r *reader) call(c *call.Call) {
	c.SessionID = r.str()
	c.CallID = r.str()
	c.Direction = call.Direction(r.str())
	c.Caller = r.str()
	c.Callee = r.str()
	l := &c.CustomerLocation
	l.Text, l.Country, l.Province, l.City, l.Carrier = r.str(), r.str(), r.str(), r.str(), r.str()
	c.Start, c.Queued, c.Ring, c.Answer, c.End = r.time(), r.time(), r.time(), r.time(), r.time()
	c.Durations = r.durations()
	c.Queue = r.queue()
	r.agent(&c.Agent)
	if n, isNil := r.len(); !isNil {
		c.Legs = make([]call.Leg, n)
		for i := range c.Legs {
			r.leg(&c.Legs[i])
		}
	}
	c.IVRKeys = r.keys()
	c.PostIVRKeys = r.keys()
	c.IVRPath = r.str()
	c.EndStatus = call.EndStatus(r.str())
	c.RawEndStatus = r.str()
	c.HangupSide = call.HangupSide(r.str())
	c.RawHangup = r.str()
	c.Satisfaction = call.Satisfaction(r.str())
	c.RawSatisfaction = r.str()
	c.RecordingID = r.str()
	c.RecordingURLs = r.strs()
	c.Transfers = int(r.int())
	c.Custom = r.anyMap()
}

func (r *reader) durations() map[call.Phase]time.Duration {
	if !r.bool() {
		return nil
	}
	n := r.uint()
	d := make(map[call.Phase]time.Duration, min(n, uint64(len(call.Phases))))
	for range n {
		p := call.Phase(r.str())
		d[p] = time.Duration(r.int())
	}
	return d
}

func (r *reader) queue() call.Queue { return call.Queue{ID: r.str(), Name: r.str()} }

func (r *reader) agent(a *call.Agent) {
	a.ID, a.Name, a.Nick, a.Email, a.StaffNumber, a.Phone = r.str(), r.str(), r.str(), r.str(), r.str(), r.str()
	a.Groups = r.strs()
}

func (r *reader) leg(l *call.Leg) {
	l.Sequence = int(r.int())
	r.agent(&l.Agent)
	l.Type = r.str()
	l.SkillGroup = r.queue()
	l.Start, l.Ring, l.Answer, l.End = r.time(), r.time(), r.time(), r.time()
	l.EndStatus = call.EndStatus(r.str())
	l.RawEndStatus = r.str()
	l.RecordingID = r.str()
	l.TransferFrom, l.TransferFromType = r.str(), r.str()
	l.TransferTo, l.TransferToType = r.str(), r.str()
	l.Priority = int(r.int())
}

func (r *reader) keys() []call.Key {
	n, isNil := r.len()
	if isNil {
		return nil
	}
	ks := make([]call.Key, n)
	for i := range ks {
		ks[i] = call.Key{Key: r.str(), Label: r.str()}
	}
	return ks
}

func (r *reader) event(e *Event) {
	e.Type = call.EventType(r.str())
	e.Name = r.str()
	e.Time = r.time()
	e.Timed = r.bool()
	r.agent(&e.Agent)
	e.Details = r.anyMap()
	e.Key = r.str()
	e.Segment = r.str()
}

func (r *reader) anyMap() map[string]any {
	if r.uint() != tagMap {
		return nil
	}
	return r.mapBody()
}

func (r *reader) mapBody() map[string]any {
	n := r.uint()
	m := make(map[string]any, min(n, uint64(len(r.buf))))
	for range n {
		k := r.str()
		m[k] = r.value()
	}
	return m
}

func (r *reader) value() any {
	switch r.uint() {
	case tagString:
		return r.str()
	case tagTrue:
		return true
	case tagFalse:
		return false
	case tagInt64:
		return r.int()
	case tagFloat64:
		if len(r.buf) < 8 {
			r.fail()
			return nil
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(r.buf))
		r.buf = r.buf[8:]
		return f
	case tagInt:
		return int(r.int())
	case tagNumber:
		return json.Number(r.str())
	case tagSlice:
		n, isNil := r.len()
		if isNil {
			return []any(nil)
		}
		out := make([]any, n)
		for i := range out {
			out[i] = r.value()
		}
		return out
	case tagMap:
		return r.mapBody()
	case tagNilMap:
		return map[string]any(nil)
	default:
		return nil
	}
}
