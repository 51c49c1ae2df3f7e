package state

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

var t0 = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func sess(id string, closure session.Closure, reported ...string) session.Snapshot {
	return session.Snapshot{
		Session: session.Session{
			Key: session.Key{Vendor: "udesk", ID: id}, Opened: t0, Seen: t0, Closure: closure,
			Call:   call.Call{SessionID: id, Custom: map[string]any{"count": int64(3), "ratio": 0.5, "tags": []any{"a", int64(1)}}},
			Events: []session.Event{{Type: call.EventQueued, Name: "enqueue_succ", Time: t0, Timed: true, Key: "k", Details: map[string]any{"multi_ring_count": int64(0)}}},
		},
		Reported: reported,
	}
}

func TestJournalAndSnapshot(t *testing.T) {
	ctx := context.Background()
	client := storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("callcenter"), "")

	store, saved, err := Open(ctx, client)
	require.NoError(t, err)
	assert.Empty(t, saved, "nothing saved yet")

	first := Record{Dedup: []dedup.Entry{{Key: "a", Done: dedup.Logs, Expires: t0.Add(time.Hour)}}, Sessions: []session.Snapshot{sess("1", session.Open)}}
	second := Record{Sessions: []session.Snapshot{sess("1", session.Ended, "call", "queue")}}
	require.NoError(t, store.Append(ctx, first))
	earlier := store.Mark()
	require.NoError(t, store.Append(ctx, second))
	require.NoError(t, store.Append(ctx, Record{}), "an empty change writes nothing")
	assert.Equal(t, uint64(2), store.Pending())

	_, saved, err = Open(ctx, client)
	require.NoError(t, err)
	require.Len(t, saved, 2, "the journal, in order")
	assert.Equal(t, first.Dedup, saved[0].Dedup)
	assert.Equal(t, session.Ended, saved[1].Sessions[0].Closure)
	assert.Equal(t, []string{"call", "queue"}, saved[1].Sessions[0].Reported)
	got := saved[1].Sessions[0].Session
	assert.Equal(t, map[string]any{"count": int64(3), "ratio": 0.5, "tags": []any{"a", int64(1)}}, got.Call.Custom, "numbers keep their types")
	assert.Equal(t, int64(0), got.Events[0].Details["multi_ring_count"])
	assert.True(t, t0.Equal(got.Events[0].Time))

	// Folded into a snapshot of the state at the mark; a change appended while the snapshot was
	// written stays in the journal after it.
	all := Record{Dedup: first.Dedup}
	mark := store.Mark()
	third := Record{Dedup: []dedup.Entry{{Key: "b", Done: dedup.Traces, Expires: t0.Add(time.Hour)}}}
	require.NoError(t, store.Append(ctx, third))
	require.NoError(t, store.Compact(ctx, all, session.Exported{}, mark))
	assert.Equal(t, uint64(1), store.Pending())

	reopened, saved, err := Open(ctx, client)
	require.NoError(t, err)
	require.Len(t, saved, 2, "the snapshot, then the journal after it")
	assert.Equal(t, all.Dedup, saved[0].Dedup)
	assert.Equal(t, third.Dedup, saved[1].Dedup)
	assert.Equal(t, uint64(1), reopened.Pending())
	for _, k := range []string{"journal/0", "journal/1"} {
		v, err := client.Get(ctx, k)
		require.NoError(t, err)
		assert.Nil(t, v, "%s was folded and deleted", k)
	}

	// A state older than the snapshot (an earlier mark) replaces nothing.
	require.NoError(t, store.Compact(ctx, Record{Dedup: third.Dedup}, session.Exported{}, earlier))
	_, saved, err = Open(ctx, client)
	require.NoError(t, err)
	require.Len(t, saved, 2)
	assert.Equal(t, all.Dedup, saved[0].Dedup, "the newer snapshot stays")
}

// A snapshot is written in parts, read back whole and in order; a smaller one deletes the parts
// it no longer has, and a missing part is an error, not a state with calls left out.
func TestSnapshotInParts(t *testing.T) {
	defer func(s, k int) { partSessions, partKeys = s, k }(partSessions, partKeys)
	partSessions, partKeys = 2, 3
	ctx := context.Background()
	client := storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("callcenter"), "")
	store, _, err := Open(ctx, client)
	require.NoError(t, err)

	tr := session.NewTracker(session.Config{MaxSessions: 10, IdleTimeout: time.Hour, WarmClosed: 1})
	var calls []session.Snapshot
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		calls = append(calls, sess(id, session.Ended, "call"))
	}
	calls = append(calls, sess("6", session.Open))
	tr.Restore(calls) // all but the last closed one frozen: thawed a part at a time
	var keys []dedup.Entry
	for i := range 7 {
		keys = append(keys, dedup.Entry{Key: fmt.Sprint("push-", i), Done: dedup.Logs, Expires: t0.Add(time.Hour)})
	}
	all := Record{Dedup: keys, Flushed: 4}
	require.NoError(t, store.Compact(ctx, all, tr.Exporting(), store.Mark()))

	parts := func() (n int) {
		for i := range 20 {
			if v, err := client.Get(ctx, fmt.Sprint("snapshot/", i)); err == nil && v != nil {
				n = i + 1
			}
		}
		return n
	}
	assert.Equal(t, 3+3, parts(), "7 keys in 3 parts, 6 calls in 3")
	_, saved, err := Open(ctx, client)
	require.NoError(t, err)
	require.Len(t, saved, 1)
	assert.Equal(t, keys, saved[0].Dedup)
	var ids []string
	for _, s := range saved[0].Sessions {
		ids = append(ids, s.Key.ID)
	}
	assert.Equal(t, []string{"1", "2", "3", "4", "5", "6"}, ids, "in order: the closed calls, then the open one")
	assert.Equal(t, []string{"call"}, saved[0].Sessions[3].Reported, "a frozen call thawed with its claims")
	assert.Equal(t, uint64(4), saved[0].Flushed)

	reopened, _, err := Open(ctx, client)
	require.NoError(t, err)
	require.NoError(t, reopened.Compact(ctx, Record{Dedup: keys[:1]}, session.Exported{}, reopened.Mark()))
	assert.Equal(t, 1, parts(), "the parts of the larger snapshot are deleted")
	_, saved, err = Open(ctx, client)
	require.NoError(t, err)
	assert.Equal(t, keys[:1], saved[0].Dedup)
	assert.Empty(t, saved[0].Sessions)

	require.NoError(t, client.Delete(ctx, "snapshot/0"))
	_, _, err = Open(ctx, client)
	assert.ErrorContains(t, err, "state key snapshot/0 is missing")
}

// gatedClient holds the first journal write until released, and counts the batches; it fails the
// batches it is told to.
type gatedClient struct {
	storage.Client
	writing chan struct{} // a write is held
	release chan struct{}
	held    atomic.Bool
	batches atomic.Int32
	fail    atomic.Bool
}

func (c *gatedClient) Batch(ctx context.Context, ops ...*storage.Operation) error {
	if slices.ContainsFunc(ops, func(op *storage.Operation) bool { return strings.HasPrefix(op.Key, "journal/") }) {
		c.batches.Add(1)
		if c.held.CompareAndSwap(false, true) {
			c.writing <- struct{}{}
			<-c.release
		}
		if c.fail.Load() {
			return errors.New("disk full")
		}
	}
	return c.Client.Batch(ctx, ops...)
}

// The changes enqueued while a write is under way are written together by the next write, in
// the order they were enqueued; a failed write fails each of its changes, and the journal goes on.
func TestChangesWaitingAreWrittenTogether(t *testing.T) {
	ctx := context.Background()
	client := &gatedClient{
		Client:  storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("callcenter"), ""),
		writing: make(chan struct{}, 1), release: make(chan struct{}),
	}
	store, _, err := Open(ctx, client)
	require.NoError(t, err)
	change := func(i int) Record {
		return Record{Dedup: []dedup.Entry{{Key: fmt.Sprint("push-", i), Done: dedup.Logs, Expires: t0.Add(time.Hour)}}}
	}
	first := store.Enqueue(ctx, change(0))
	firstDone := make(chan error, 1)
	go func() { firstDone <- first() }()
	<-client.writing // the first change's write is under way
	var waits []func() error
	for i := 1; i < 10; i++ {
		waits = append(waits, store.Enqueue(ctx, change(i)))
	}
	errs := make(chan error, len(waits))
	for _, wait := range waits {
		go func() { errs <- wait() }()
	}
	close(client.release)
	require.NoError(t, <-firstDone)
	for range waits {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, int32(2), client.batches.Load(), "the first change, then the nine that waited")

	client.fail.Store(true)
	require.ErrorContains(t, store.Append(ctx, change(10)), "disk full")
	client.fail.Store(false)
	require.NoError(t, store.Append(ctx, change(11)))

	_, saved, err := Open(ctx, client)
	require.NoError(t, err)
	var keys []string
	for _, rec := range saved {
		keys = append(keys, rec.Dedup[0].Key)
	}
	assert.Equal(t, []string{"push-0", "push-1", "push-2", "push-3", "push-4", "push-5", "push-6", "push-7", "push-8", "push-9", "push-11"}, keys,
		"in order; the failed change is not there")
}

func TestUnreadableStateIsAnError(t *testing.T) {
	ctx := context.Background()
	client := storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("callcenter"), "")
	require.NoError(t, client.Set(ctx, "snapshot", []byte("{not json")))
	_, _, err := Open(ctx, client)
	require.ErrorContains(t, err, "state key snapshot is unreadable")
	require.NoError(t, client.Set(ctx, "snapshot", []byte("{}")))
	require.NoError(t, client.Set(ctx, "journal.next", []byte("x")))
	_, _, err = Open(ctx, client)
	assert.ErrorContains(t, err, "state key journal.next")
}

func TestTrackerRoundTrip(t *testing.T) {
	tr := session.NewTracker(session.Config{MaxSessions: 10, IdleTimeout: time.Hour})
	tr.Restore([]session.Snapshot{sess("1", session.Open), sess("2", session.Ended, "call"), sess("1", session.Open, "queue")})
	assert.Equal(t, 1, tr.Len(), "one open, one closed")
	assert.Equal(t, []string{"call"}, tr.Claim(session.Key{Vendor: "udesk", ID: "1"}, []string{"queue", "call"}), "the later snapshot's claims hold")
	assert.Empty(t, tr.Claim(session.Key{Vendor: "udesk", ID: "2"}, []string{"call"}))
	assert.Len(t, tr.Export(), 2)
}

func TestUnflushedObservationsSurviveCompaction(t *testing.T) {
	ctx := context.Background()
	client := storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("callcenter"), "")
	store, _, err := Open(ctx, client)
	require.NoError(t, err)
	res := attrs.Resource{ServiceName: "callcenter-dezhu", Vendor: "dezhu"}
	obs := func(kind call.Kind) []metrics.Observation {
		return []metrics.Observation{{Resource: res, Recording: kind}}
	}

	// Pushes counted into flushes 1, 2 and 3; flush 1 accepted, and then flush 2.
	require.NoError(t, store.Append(ctx, Record{Metrics: []metrics.Batch{{Flush: 1, Observations: obs(call.KindRecording)}}}))
	require.NoError(t, store.Append(ctx, Record{Metrics: []metrics.Batch{{Flush: 2, Observations: obs(call.KindVoicemail)}}}))
	require.NoError(t, store.Append(ctx, Record{Flushed: 1}))
	require.NoError(t, store.Append(ctx, Record{Metrics: []metrics.Batch{{Flush: 3, Observations: obs(call.KindRecording)}}}))
	_, saved, err := Open(ctx, client)
	require.NoError(t, err)
	batches, last := Unflushed(saved)
	assert.Equal(t, []uint64{2, 3}, flushNumbers(batches), "after the mark of flush 1: flushes 2 and 3")
	assert.Equal(t, uint64(3), last)

	// Compacted with what is unflushed, then flush 2 is marked after the snapshot.
	require.NoError(t, store.Compact(ctx, Record{Metrics: batches, Flushed: 1}, session.Exported{}, store.Mark()))
	require.NoError(t, store.Append(ctx, Record{Flushed: 2}))
	_, saved, err = Open(ctx, client)
	require.NoError(t, err)
	batches, last = Unflushed(saved)
	assert.Equal(t, []uint64{3}, flushNumbers(batches), "the snapshot kept them; the later mark still counts")
	assert.Equal(t, obs(call.KindRecording), batches[0].Observations)
	assert.Equal(t, uint64(3), last)

	// Everything flushed and compacted: nothing to replay, and the numbering goes on after 7.
	require.NoError(t, store.Compact(ctx, Record{Flushed: 7}, session.Exported{}, store.Mark()))
	_, saved, err = Open(ctx, client)
	require.NoError(t, err)
	batches, last = Unflushed(saved)
	assert.Empty(t, batches)
	assert.Equal(t, uint64(7), last)
}

func flushNumbers(batches []metrics.Batch) []uint64 {
	var out []uint64
	for _, b := range batches {
		out = append(out, b.Flush)
	}
	return out
}

func TestCumulativeTotalsResumeWithEveryLaterObservation(t *testing.T) {
	ctx := context.Background()
	client := storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("callcenter"), "")
	store, _, err := Open(ctx, client)
	require.NoError(t, err)
	res := attrs.Resource{ServiceName: "callcenter-dezhu", Vendor: "dezhu"}
	obs := func(kind call.Kind) []metrics.Observation {
		return []metrics.Observation{{Resource: res, Recording: kind}}
	}
	totals := &metrics.Totals{Start: t0, Bounds: metrics.DefaultBuckets, Series: []metrics.ResourceTotals{{
		Resource: res, Counters: []metrics.CounterTotal{{Metric: "callcenter.recordings", Value: 41}},
	}}}

	// Observations before the snapshot are in its totals; those after it count whether their
	// flush was accepted (a delta mark may even be there) or not.
	require.NoError(t, store.Append(ctx, Record{Metrics: []metrics.Batch{{Flush: 1, Observations: obs(call.KindVoicemail)}}}))
	require.NoError(t, store.Compact(ctx, Record{Cumulative: totals}, session.Exported{}, store.Mark()))
	require.NoError(t, store.Append(ctx, Record{Metrics: []metrics.Batch{{Flush: 2, Observations: obs(call.KindRecording)}}}))
	require.NoError(t, store.Append(ctx, Record{Flushed: 2}))
	require.NoError(t, store.Append(ctx, Record{Metrics: []metrics.Batch{{Flush: 3, Observations: obs(call.KindVoicemail)}}}))
	_, saved, err := Open(ctx, client)
	require.NoError(t, err)
	got, after := Resumable(saved)
	require.NotNil(t, got)
	assert.True(t, t0.Equal(got.Start), "the start time, kept")
	assert.Equal(t, int64(41), got.Series[0].Counters[0].Value)
	assert.Equal(t, []uint64{2, 3}, flushNumbers(after), "flushed or not, every batch after the snapshot")

	// The next compaction folds them into the totals.
	folded := *totals
	folded.Series = []metrics.ResourceTotals{{Resource: res, Counters: []metrics.CounterTotal{{Metric: "callcenter.recordings", Value: 43}}}}
	require.NoError(t, store.Compact(ctx, Record{Cumulative: &folded}, session.Exported{}, store.Mark()))
	_, saved, err = Open(ctx, client)
	require.NoError(t, err)
	got, after = Resumable(saved)
	require.NotNil(t, got)
	assert.Equal(t, int64(43), got.Series[0].Counters[0].Value)
	assert.Empty(t, after)
}

// TestStateOfThePreviousFormatLoads: state saved before totals existed (observations with their
// flush numbers, flush marks, no totals) has nothing to resume; Unflushed replays it as before.
func TestStateOfThePreviousFormatLoads(t *testing.T) {
	ctx := context.Background()
	client := storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("callcenter"), "")
	// Written by the previous version: a snapshot keeping flush 3's observations after the mark
	// of flush 2, and a journal with one more push and the mark of flush 3.
	for key, value := range map[string]string{
		"snapshot":      `{"metrics":[{"f":3,"o":[{"r":{"s":"callcenter-dezhu","v":"dezhu"},"rec":"voicemail"}]}],"flushed":2}`,
		"journal.first": "0",
		"journal.next":  "2",
		"journal/0":     `{"metrics":[{"f":4,"o":[{"r":{"s":"callcenter-dezhu","v":"dezhu"},"rec":"recording"}]}]}`,
		"journal/1":     `{"flushed":3}`,
	} {
		require.NoError(t, client.Set(ctx, key, []byte(value)))
	}
	_, saved, err := Open(ctx, client)
	require.NoError(t, err)
	totals, after := Resumable(saved)
	assert.Nil(t, totals)
	assert.Empty(t, after)
	batches, last := Unflushed(saved)
	assert.Equal(t, []uint64{4}, flushNumbers(batches))
	assert.Equal(t, call.KindRecording, batches[0].Observations[0].Recording)
	assert.Equal(t, uint64(4), last)
}

// A compaction is due once the journal holds CompactAfter records and as many bytes as the
// snapshot, which a reopened store counts again from the storage; and at once after a failed
// write, until a snapshot taken after it.
func TestACompactionIsDueOnceTheJournalIsAsLargeAsTheSnapshot(t *testing.T) {
	ctx := context.Background()
	client := &gatedClient{
		Client:  storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("callcenter"), ""),
		writing: make(chan struct{}, 1), release: make(chan struct{}),
	}
	client.held.Store(true) // no write is held
	store, _, err := Open(ctx, client)
	require.NoError(t, err)
	n := 0
	appendChanges := func(store *Store, count int) {
		for range count {
			n++
			require.NoError(t, store.Append(ctx, Record{Dedup: []dedup.Entry{{Key: fmt.Sprint("push-", n), Expires: t0}}}))
		}
	}
	appendChanges(store, CompactAfter-1)
	assert.False(t, store.Due())
	appendChanges(store, 1)
	assert.True(t, store.Due(), "CompactAfter records, and no snapshot yet")

	// A snapshot of 5000 remembered pushes is larger than the journal of 1000.
	var all Record
	for i := range 5000 {
		all.Dedup = append(all.Dedup, dedup.Entry{Key: fmt.Sprint("kept-", i), Expires: t0})
	}
	require.NoError(t, store.Compact(ctx, all, session.Exported{}, store.Mark()))
	assert.False(t, store.Due())
	appendChanges(store, CompactAfter)
	assert.False(t, store.Due(), "CompactAfter records, fewer bytes than the snapshot")
	reopened, _, err := Open(ctx, client)
	require.NoError(t, err)
	assert.False(t, reopened.Due(), "the same, counted from the storage")
	appendChanges(reopened, 4*CompactAfter)
	assert.True(t, reopened.Due(), "as many bytes as the snapshot")
	reopened, _, err = Open(ctx, client)
	require.NoError(t, err)
	assert.True(t, reopened.Due(), "the same, counted from the storage")
	require.NoError(t, reopened.Compact(ctx, all, session.Exported{}, reopened.Mark()))
	assert.False(t, reopened.Due())

	before := reopened.Mark()
	client.fail.Store(true)
	require.Error(t, reopened.Append(ctx, Record{Dedup: []dedup.Entry{{Key: "lost", Expires: t0}}}))
	client.fail.Store(false)
	assert.True(t, reopened.Due(), "the journal lacks a change")
	require.NoError(t, reopened.Compact(ctx, all, session.Exported{}, before))
	assert.True(t, reopened.Due(), "a state taken before the failed write lacks it too")
	require.NoError(t, reopened.Compact(ctx, all, session.Exported{}, reopened.Mark()))
	assert.False(t, reopened.Due())
}

// A session is saved without its empty fields (omitzero), and read back the same: what was nil
// stays nil, what was empty stays empty, a zero time stays zero.
func TestASavedSessionKeepsNilAndEmptyApart(t *testing.T) {
	ctx := context.Background()
	client := storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("callcenter"), "")
	store, _, err := Open(ctx, client)
	require.NoError(t, err)
	want := session.Snapshot{Session: session.Session{
		Key: session.Key{Vendor: "udesk", ID: "1"}, Opened: t0, Closure: session.Open,
		Call: call.Call{SessionID: "1", Start: t0, Legs: []call.Leg{{Agent: call.Agent{ID: "7"}}}, IVRKeys: []call.Key{},
			Durations: map[call.Phase]time.Duration{}, Custom: map[string]any{}, Agent: call.Agent{Groups: []string{}}},
		Events: []session.Event{{Type: call.EventQueued, Time: t0}, {}},
		Record: &call.Call{}, // a record, all of it unknown
	}}
	require.NoError(t, store.Append(ctx, Record{Sessions: []session.Snapshot{want}}))
	body, err := client.Get(ctx, "journal/0")
	require.NoError(t, err)
	assert.NotContains(t, string(body), `"Queued"`, "a zero time is left out")
	assert.NotContains(t, string(body), `"Caller"`, "an empty string is left out")

	_, saved, err := Open(ctx, client)
	require.NoError(t, err)
	got := saved[0].Sessions[0]
	assert.Equal(t, want.Call, got.Call)
	assert.NotNil(t, got.Call.IVRKeys)
	assert.Nil(t, got.Call.PostIVRKeys)
	assert.NotNil(t, got.Call.Agent.Groups)
	assert.Nil(t, got.Call.Legs[0].Agent.Groups)
	assert.Equal(t, want.Events, got.Events)
	assert.Equal(t, want.Record, got.Record)
	assert.Nil(t, got.Segments)
	assert.True(t, got.Closed.IsZero())
}
