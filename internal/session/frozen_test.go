package session

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// filler sets every field it reaches, exported or not, to a value of its own, so that a field
// added to Session, call.Call or what they hold and left out of the encoding fails the round
// trip below.
type filler struct{ n int }

var (
	timeType  = reflect.TypeFor[time.Time]()
	zones     = []*time.Location{time.UTC, time.Local, time.FixedZone("CST", 8*3600), time.FixedZone("", -5*3600-1800)}
	freeValue = func(n int) map[string]any {
		return map[string]any{
			"s": "文本", "t": true, "f": false, "i64": int64(-n), "f64": 1.5 + float64(n), "int": n,
			"num": json.Number("12345678901234567890"), "nil": nil,
			"list": []any{"a", int64(1), []any{}, map[string]any{"x": 2.5}}, "nilList": []any(nil),
			"map": map[string]any{"k": map[string]any{}}, "nilMap": map[string]any(nil),
		}
	}
)

func (f *filler) fill(v reflect.Value) {
	f.n++
	if v.Type() == timeType {
		t := time.Date(2026, 11, 22, 8, f.n%60, f.n%60, f.n*1000+7, zones[f.n%len(zones)])
		v.Set(reflect.ValueOf(t))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("v" + string(rune('a'+f.n%26)) + "·" + time.Duration(f.n).String())
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(f.n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		for i := range v.NumField() {
			f.fill(settable(v.Field(i)))
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem())
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			f.fill(s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		switch v.Type() {
		case reflect.TypeFor[map[string]any]():
			m = reflect.ValueOf(freeValue(f.n))
		default:
			for range 2 {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				f.fill(k)
				f.fill(e)
				m.SetMapIndex(k, e)
			}
		}
		v.Set(m)
	default:
		panic("filler: no value for " + v.Type().String())
	}
}

// settable makes an unexported field settable, for the test only.
func settable(v reflect.Value) reflect.Value {
	if v.CanSet() {
		return v
	}
	return reflect.NewAt(v.Type(), v.Addr().UnsafePointer()).Elem()
}

// sameTime compares instants and how they read in their zone.
var sameTime = cmp.Comparer(func(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return a.Equal(b) && an == bn && ao == bo && a.IsZero() == b.IsZero()
})

func roundTrip(t *testing.T, s *Session) *Session {
	t.Helper()
	f, _, err := freeze(s, nil)
	require.NoError(t, err)
	return f.thaw()
}

func TestFreezeKeepsEverything(t *testing.T) {
	var s Session
	(&filler{}).fill(reflect.ValueOf(&s).Elem())
	s.Segments[1].Record = s.Record // a call of one segment shares its record
	got := roundTrip(t, &s)
	assert.Zero(t, got.journaled, "a thawed session's next change to the journal is whole")
	assert.Nil(t, got.claimedSince)
	assert.Empty(t, cmp.Diff(&s, got, sameTime, cmp.AllowUnexported(Session{}),
		cmpopts.IgnoreFields(Session{}, "journaled", "claimedSince")))
	assert.Same(t, got.Segments[1].Record, got.Record, "the shared record stays one")
	assert.NotSame(t, got.Segments[0].Record, got.Record)
}

func TestFreezeKeepsNilAndEmptyApart(t *testing.T) {
	s := Session{
		Key: Key{Vendor: "udesk", ID: "1"}, Events: []Event{}, Segments: nil, reported: map[string]bool{},
		Call: call.Call{Legs: []call.Leg{}, IVRKeys: []call.Key{}, Durations: map[call.Phase]time.Duration{},
			Custom: map[string]any{}, Agent: call.Agent{Groups: []string{}}},
		Record: &call.Call{}, // a record of its own, no segment
	}
	got := roundTrip(t, &s)
	assert.Empty(t, cmp.Diff(&s, got, sameTime, cmp.AllowUnexported(Session{})))
	assert.NotNil(t, got.Events)
	assert.Nil(t, got.Segments)
	assert.NotNil(t, got.Call.Durations)
	assert.Nil(t, got.Record.Durations)
}

func TestFreezeRefusesWhatItCannotKeep(t *testing.T) {
	s := Session{Call: call.Call{Custom: map[string]any{"when": struct{}{}}}}
	_, _, err := freeze(&s, nil)
	require.ErrorIs(t, err, errUnfreezable)
}

// A claim of a frozen session marks the items in its bytes as a claim of the decoded session
// marks them: the same fresh items, and thawed, the same session with them reported.
func TestFrozenClaim(t *testing.T) {
	s := Session{Key: Key{Vendor: "tccc", ID: "c1"}, Closure: Ended, Events: []Event{{Key: "e1", Name: "ring"}},
		reported: map[string]bool{"call": true, "queue": true, "leg/0": true}, settled: 1, ordered: 1, endless: 1}
	f, _, err := freeze(&s, nil)
	require.NoError(t, err)
	before := slices.Clone(f.data)
	many := make([]string, 65)
	for i := range many {
		many[i] = fmt.Sprint("span/", i)
	}
	for _, c := range []struct {
		items, fresh []string
	}{
		{nil, nil},
		{[]string{"call"}, nil},
		{[]string{"leg/0", "call", "queue"}, nil},
		{[]string{"call", "talk"}, []string{"talk"}},
		{[]string{"leg/1"}, []string{"leg/1"}},
		{[]string{"cal"}, []string{"cal"}}, // a prefix of a key is another key
		{[]string{"talk", "call", "talk", "root"}, []string{"talk", "root"}},
		{[]string{"call", "call"}, nil},
	} {
		fresh, claimed, ok := f.claim(c.items)
		require.True(t, ok, "%q", c.items)
		assert.Equal(t, c.fresh, fresh, "%q", c.items)
		want := s.clone()
		want.reported = maps.Clone(s.reported)
		for _, it := range c.items {
			want.reported[it] = true
		}
		got := claimed.thaw()
		assert.Equal(t, want, got, "%q", c.items)
		assert.Equal(t, f.reportedAt, claimed.reportedAt)
		assert.Equal(t, before, f.data, "%q: the bytes of a frozen session never change", c.items)
		if len(fresh) == 0 {
			assert.Same(t, f, claimed, "%q", c.items)
		}
	}
	_, _, ok := f.claim(many)
	assert.False(t, ok, "more than 64 items: claimed the long way")

	none, _, err := freeze(&Session{Key: Key{Vendor: "tccc", ID: "c2"}}, nil)
	require.NoError(t, err)
	fresh, claimed, ok := none.claim([]string{"call"})
	require.True(t, ok)
	assert.Equal(t, []string{"call"}, fresh)
	assert.Equal(t, map[string]bool{"call": true}, claimed.thaw().reported)
}

func TestFrozenIDsAndTimes(t *testing.T) {
	closed := time.Date(2026, 11, 22, 9, 0, 0, 5, time.UTC)
	s := Session{Key: Key{Vendor: "udesk", Tenant: "acme", ID: "c1"}, Group: "g", Seen: closed.Add(-time.Second),
		Closed: closed, Segments: []Segment{{ID: "c1"}, {ID: "c2"}}, Closure: Ended}
	f, _, err := freeze(&s, nil)
	require.NoError(t, err)
	k, group, segs := f.ids()
	assert.Equal(t, s.Key, k)
	assert.Equal(t, "g", group)
	assert.Equal(t, []string{"c1", "c2"}, segs)
	seen, gotClosed := timesOf(f)
	assert.True(t, seen.Equal(s.Seen))
	assert.True(t, gotClosed.Equal(closed))
	open, _ := timesOf(&frozen{seen: unixNano(time.Time{}), closed: unixNano(time.Time{})})
	assert.True(t, open.IsZero())
}

// BenchmarkFreeze is the cost of freezing a closed session and of thawing it again.
func BenchmarkFreeze(b *testing.B) {
	var s Session
	(&filler{}).fill(reflect.ValueOf(&s).Elem())
	b.Run("freeze", func(b *testing.B) {
		b.ReportAllocs()
		var scratch []byte
		for b.Loop() {
			_, scratch, _ = freeze(&s, scratch)
		}
	})
	f, _, _ := freeze(&s, nil)
	b.Run("thaw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f.thaw()
		}
	})
}
