package flex_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // a zone with daylight saving time, wherever the tests run

	"github.com/otelcallcenter/callcenterreceiver/internal/flex"
)

// fuzzZones are zones for texts without one: UTC, Shanghai, the extremes and one with daylight
// saving time (gaps and repeated hours).
var fuzzZones = func() []*time.Location {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return []*time.Location{
		time.UTC, time.FixedZone("+08", 8*3600), time.FixedZone("+14", 14*3600), time.FixedZone("-12", -12*3600), newYork,
	}
}()

var fuzzScalarSeeds = []string{
	`null`, `0`, `-0`, `1`, `-1`, `1606188550000`, `-62135596800000`, `9223372036854775807`, `-9223372036854775808`,
	`9223372036854775808`, `99999999999999999999`, `1e400`, `1.5`, `1e3`, `01`, `true`, `{}`, `[]`, `[1]`, `{"a":1}`,
	`""`, `" "`, `"0"`, `"00"`, `"+0"`, `"-0"`, `" 13 "`, `"+13"`, `"abc"`, `"1e3"`, `"1605318636358"`,
	`"9223372036854775808"`, `"2019-07-24 15:23:17 +0800"`, `"2019-07-24T15:23:14.000+08:00"`, `"2022-03-03 14:27:10"`,
	`"2022-03-03T14:27:10.5"`, `"2019-07-24 15:21"`, `"2024-01-01T00:00:00Z"`, `"2024-03-10 02:30:00"`,
	`"2024-11-03 01:30:00"`, `"0001-01-01 00:00:00"`, `"0000-01-01 00:00:00 +0100"`, `"9999-12-31 23:59:59 -2359"`,
	`"2019-07-24 25:61:61"`, "\"\xff\xfe\"", `"\ud800"`, `"\u0031\u0032"`, " \n 5 \t", `5 5`, `"`, ``,
}

// FuzzTime decodes any JSON value as a flex.Time: no panic, a failure leaves a zero time, a
// success resolves to a UTC time in every zone, and what it resolves to decodes back to the same
// moment with the same validity.
func FuzzTime(f *testing.F) {
	for _, s := range fuzzScalarSeeds {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(4))
	}
	f.Fuzz(func(t *testing.T, data []byte, zone uint8) {
		loc := fuzzZones[int(zone)%len(fuzzZones)]
		var v flex.Time
		if err := json.Unmarshal(data, &v); err != nil {
			if !v.IsZero() {
				t.Errorf("a failed decode left a time: %v", err)
			}
			return
		}
		got := v.In(loc)
		if v.IsZero() {
			if !got.IsZero() {
				t.Errorf("a zero flex.Time resolves to %s", got)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Errorf("%s is not in UTC", got)
		}
		if !v.In(loc).Equal(got) {
			t.Error("resolving is not deterministic")
		}

		// The resolved moment, sent again in the form it came in, is the same valid time.
		var again []string
		if text, millis := fuzzForm(data); millis {
			ms := strconv.FormatInt(got.UnixMilli(), 10)
			again = []string{ms, strconv.Quote(ms)}
		} else if y := got.Year(); y >= 1 && y <= 9999 && text != "" {
			again = []string{strconv.Quote(got.Format(time.RFC3339Nano))}
		}
		for _, s := range again {
			var w flex.Time
			if err := json.Unmarshal([]byte(s), &w); err != nil {
				t.Errorf("%s resolved to %s, which does not decode again as %s: %v", data, got, s, err)
				continue
			}
			if w.IsZero() || !w.In(loc).Equal(got) {
				t.Errorf("%s resolved to %s, which decodes again as %s to zero=%t %s", data, got, s, w.IsZero(), w.In(loc))
			}
		}
	})
}

// fuzzForm tells the epoch-milliseconds form (a number, or a string of one) from a date-time
// text, as the decoder does.
func fuzzForm(data []byte) (text string, millis bool) {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return "", true // a number
	}
	s = strings.TrimSpace(s)
	_, err := strconv.ParseInt(s, 10, 64)
	return s, err == nil
}

// FuzzInt decodes any JSON value as a flex.Int: no panic, a failure or null leaves it invalid and
// zero, every JSON integer encoding/json takes as an int64 is taken with the same value, and a
// valid value decodes back, as a number and as a string, to itself.
func FuzzInt(f *testing.F) {
	for _, s := range fuzzScalarSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v flex.Int
		err := json.Unmarshal(data, &v)
		if err != nil || !v.Valid {
			if v != (flex.Int{}) {
				t.Errorf("an invalid flex.Int holds %d (error %v)", v.Value, err)
			}
		}
		var n int64
		if json.Unmarshal(data, &n) == nil && !bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
			if err != nil || !v.Valid || v.Value != n {
				t.Errorf("%s is the int64 %d, but decodes as %+v (error %v)", data, n, v, err)
			}
		}
		if err != nil || !v.Valid {
			return
		}
		n = v.Value
		for _, s := range []string{strconv.FormatInt(n, 10), strconv.Quote(strconv.FormatInt(n, 10))} {
			var w flex.Int
			if err := json.Unmarshal([]byte(s), &w); err != nil || w != v {
				t.Errorf("%d encoded as %s decodes to %+v (error %v)", n, s, w, err)
			}
		}
	})
}
