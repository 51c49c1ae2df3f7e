package attrs

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Pdata is a Sink into a pdata map: a log record's, a span's or a resource's attributes written
// in place, without a plain map to convert. A list of maps is put in place too (ListSink). Point
// Map at each map in turn: a *Pdata as a Sink allocates nothing.
type Pdata struct{ pcommon.Map }

func (m *Pdata) PutRaw(k string, v any) { putValue(m.PutEmpty(k), v) }

func (m *Pdata) PutMaps(k string, n, size int, put func(i int, m Sink)) {
	list := m.PutEmptySlice(k)
	list.EnsureCapacity(n)
	item := &Pdata{}
	for i := range n {
		item.Map = list.AppendEmpty().SetEmptyMap()
		item.EnsureCapacity(size)
		put(i, item)
	}
}

// putMap and putValue convert as the stanza adapter does (upsertToMap, upsertToAttributeVal).
// pdata's FromRaw converts the plain values decoders and attrs make the same way, without
// looking up every key it adds (PutEmpty's scan made a body of n fields cost n²); a value it
// does not know makes it fail, and the map is converted key by key instead.
func putMap(dest pcommon.Map, m map[string]any) {
	if dest.FromRaw(m) == nil {
		return
	}
	dest.Clear()
	dest.EnsureCapacity(len(m))
	for k, v := range m {
		putValue(dest.PutEmpty(k), v)
	}
}

func putValue(dest pcommon.Value, v any) {
	switch t := v.(type) {
	case map[string]any:
		putMap(dest.SetEmptyMap(), t)
	case []any:
		s := dest.SetEmptySlice()
		s.EnsureCapacity(len(t))
		for _, e := range t {
			putValue(s.AppendEmpty(), e)
		}
	case []string:
		s := dest.SetEmptySlice()
		s.EnsureCapacity(len(t))
		for _, e := range t {
			s.AppendEmpty().SetStr(e)
		}
	default: // scalars as pdata converts them; what it does not know, as text, as the adapter does
		if dest.FromRaw(t) != nil {
			dest.SetStr(fmt.Sprintf("%v", t))
		}
	}
}
