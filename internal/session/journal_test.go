package session

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// agentStatus is a push to an agent's day (UinCall agentstatus): no push ID, each one an event
// numbered by its place in the day.
func agentStatus(agent string, at time.Duration) *call.Push {
	return &call.Push{
		Vendor: "uincall", Kind: call.KindAgentEvent, Tenant: "t", Arrival: t0.Add(at),
		Call:  call.Call{Agent: call.Agent{ID: agent}},
		Event: &call.Event{Name: "agentstatus", Type: call.EventAgentStatus},
	}
}

// The changes Journal gives, each through JSON as the state's journal keeps it and restored in
// their order, make the sessions the tracker holds: agents' days written an event at a time,
// calls whose events arrive out of order (the events the journal holds move), items claimed
// and released, and sessions changed more than once between two of their changes.
func TestJournalChangesMakeTheSessions(t *testing.T) {
	cfg := Config{MaxSessions: 1000, IdleTimeout: 24 * time.Hour}
	tr := NewTracker(cfg)
	rng := rand.New(rand.NewPCG(7, 9))
	var journal [][]byte
	write := func(key Key) {
		snap, ok := tr.Journal(key)
		if !ok {
			return // forgotten
		}
		b, err := json.Marshal(snap)
		require.NoError(t, err)
		journal = append(journal, b)
	}
	type pending struct {
		key    Key
		pushes []*call.Push
	}
	var calls []pending
	claimed := map[Key][]string{}
	at := time.Duration(0)
	for i := range 3000 {
		at += time.Second
		var ch *Change
		switch op := rng.IntN(10); {
		case op < 5: // an agent's status, in order
			ch = tr.Apply(agentStatus(fmt.Sprint("80", rng.IntN(3)), at))
		case op < 8: // the next event of a call, its events arriving in any order
			if len(calls) < 5 {
				id := fmt.Sprint("call-", i)
				calls = append(calls, pending{key: Key{Vendor: "uincall", Tenant: "t", ID: id}, pushes: outboundCall(id)})
			}
			c := &calls[rng.IntN(len(calls))]
			j := rng.IntN(len(c.pushes))
			p := *c.pushes[j]
			p.Arrival = t0.Add(at)
			ch = tr.Apply(&p)
			if c.pushes = append(c.pushes[:j], c.pushes[j+1:]...); len(c.pushes) == 0 {
				*c = calls[len(calls)-1]
				calls = calls[:len(calls)-1]
			}
		case op < 9: // an item sent, and written with the session's next change
			for key := range claimed {
				item := fmt.Sprint("span-", i)
				tr.Claim(key, []string{item})
				claimed[key] = append(claimed[key], item)
				break
			}
			continue
		default: // an item whose sending failed
			for key, items := range claimed {
				if len(items) > 0 {
					tr.Release(key, items[len(items)-1:])
					claimed[key] = items[:len(items)-1]
				}
				break
			}
			continue
		}
		require.NotNil(t, ch)
		key := ch.Session.Key
		item := fmt.Sprint("sent-", i)
		tr.Claim(key, []string{item})
		claimed[key] = append(claimed[key], item)
		if rng.IntN(4) > 0 { // else written with its next change
			write(key)
		}
	}
	for key := range claimed { // every session's last change
		write(key)
	}

	restored := NewTracker(cfg)
	for _, b := range journal {
		var snap Snapshot
		require.NoError(t, json.Unmarshal(b, &snap))
		restored.Restore([]Snapshot{snap})
	}
	want, got := byKey(t, tr.Export()), byKey(t, restored.Export())
	require.Len(t, got, len(want))
	for key, w := range want {
		assert.JSONEq(t, w, got[key], "%v", key)
	}
}

// A change of an agent's day, once the journal holds the day, is what its push added: the new
// event and the items sent for it, whatever the length of the day.
func TestAChangeOfADayIsWhatItsPushAdded(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: 24 * time.Hour})
	for i := range 1000 {
		ch := tr.Apply(agentStatus("8014", time.Duration(i)*time.Second))
		tr.Claim(ch.Session.Key, []string{StateSpanKey(ch.EventKey)})
		snap, ok := tr.Journal(ch.Session.Key)
		require.True(t, ok)
		if i == 0 {
			assert.Zero(t, snap.From, "the first change is whole")
			continue
		}
		require.Equal(t, i, snap.From)
		require.Len(t, snap.Events, 1)
		require.Equal(t, ch.EventKey, snap.Events[0].Key)
		require.Equal(t, []string{StateSpanKey(ch.EventKey)}, snap.Reported)
	}
	require.Len(t, tr.Export()[0].Events, 1000)
}

// byKey encodes each snapshot as JSON, by its session's key.
func byKey(t *testing.T, snaps []Snapshot) map[Key]string {
	t.Helper()
	out := map[Key]string{}
	for key, s := range byKeyOf(snaps) {
		b, err := json.Marshal(s)
		require.NoError(t, err)
		out[key] = string(b)
	}
	return out
}

// A call of one segment shares its record with the session: a snapshot writes it once, and the
// session read back shares it again. A call of several segments writes each segment's own.
func TestASharedRecordIsWrittenOnce(t *testing.T) {
	one := &call.Call{SessionID: "s1", RawEndStatus: "the-record"}
	a, b := &call.Call{SessionID: "s2", RawEndStatus: "first"}, &call.Call{SessionID: "s3", RawEndStatus: "second"}
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	tr.Restore([]Snapshot{
		{Session: Session{Key: Key{Vendor: "udesk", ID: "s1"}, Closure: Ended, Record: one, Segments: []Segment{{ID: "s1", Record: one}}}},
		{Session: Session{Key: Key{Vendor: "udesk", ID: "s2"}, Closure: Ended, Record: &call.Call{SessionID: "s2", RawEndStatus: "joined"},
			Segments: []Segment{{ID: "s2", Record: a}, {ID: "s3", Record: b}}}},
	})
	for _, read := range []func(Key) Snapshot{
		func(k Key) Snapshot { return byKeyOf(tr.Export())[k] },
		func(k Key) Snapshot { s, _ := tr.Journal(k); return s },
	} {
		restored := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
		for _, k := range []Key{{Vendor: "udesk", ID: "s1"}, {Vendor: "udesk", ID: "s2"}} {
			b, err := json.Marshal(read(k))
			require.NoError(t, err)
			var snap Snapshot
			require.NoError(t, json.Unmarshal(b, &snap))
			restored.Restore([]Snapshot{snap})
			if k.ID == "s1" {
				assert.Equal(t, 1, strings.Count(string(b), "the-record"), "written once")
			} else {
				assert.Equal(t, 3, strings.Count(string(b), "RawEndStatus"), "the joined record and each segment's")
			}
		}
		s := restored.lookup(Key{Vendor: "udesk", ID: "s1"})
		assert.Equal(t, "the-record", s.Record.RawEndStatus)
		assert.Same(t, s.Record, s.Segments[0].Record, "shared again")
		s = restored.lookup(Key{Vendor: "udesk", ID: "s2"})
		assert.Equal(t, []string{"first", "second"}, []string{s.Segments[0].Record.RawEndStatus, s.Segments[1].Record.RawEndStatus})
		assert.Equal(t, "joined", s.Record.RawEndStatus)
	}
	s := tr.lookup(Key{Vendor: "udesk", ID: "s1"})
	assert.Same(t, s.Record, s.Segments[0].Record, "the tracker's own session is left as it was")
}

// byKeyOf is each snapshot by its session's key.
func byKeyOf(snaps []Snapshot) map[Key]Snapshot {
	out := map[Key]Snapshot{}
	for _, s := range snaps {
		out[s.Key] = s
	}
	return out
}
