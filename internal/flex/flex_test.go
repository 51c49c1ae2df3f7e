package flex

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

func TestString(t *testing.T) {
	var v struct{ A, B, C String }
	require.NoError(t, json.Unmarshal([]byte(`{"A":"x@y.com","B":13123456789,"C":null}`), &v))
	assert.Equal(t, String("x@y.com"), v.A)
	assert.Equal(t, String("13123456789"), v.B, "numbers keep their digits")
	assert.Equal(t, String(""), v.C)

	err := json.Unmarshal([]byte(`{"A":{"x":1}}`), &v)
	var typeErr *json.UnmarshalTypeError
	require.ErrorAs(t, err, &typeErr)
	assert.Equal(t, "A", typeErr.Field, "the field is named")
	assert.Equal(t, "object", typeErr.Value)
}

func TestInt(t *testing.T) {
	var v struct{ A, B, C, D Int }
	require.NoError(t, json.Unmarshal([]byte(`{"A":13,"B":"13","C":null,"D":""}`), &v))
	assert.Equal(t, Int{Value: 13, Valid: true}, v.A)
	assert.Equal(t, Int{Value: 13, Valid: true}, v.B)
	assert.False(t, v.C.Valid)
	assert.False(t, v.D.Valid)

	for _, bad := range []string{`{"A":"abc"}`, `{"A":1.5}`, `{"A":[1]}`, `{"A":true}`, `{"A":1e400}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &v), bad)
	}
}

func TestTimeForms(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{`1606188550000`, time.Date(2020, 11, 24, 3, 29, 10, 0, time.UTC)},                  // 得助 epoch ms
		{`"1605318636358"`, time.UnixMilli(1605318636358).UTC()},                            // 得助 iccRecordDate
		{`"2019-07-24 15:23:17 +0800"`, time.Date(2019, 7, 24, 7, 23, 17, 0, time.UTC)},     // Udesk timestamp
		{`"2019-07-24T15:23:14.000+08:00"`, time.Date(2019, 7, 24, 7, 23, 14, 0, time.UTC)}, // Udesk *_at
		{`"2022-03-03 14:27:10"`, time.Date(2022, 3, 3, 6, 27, 10, 0, time.UTC)},            // no zone: Shanghai
		{`"2022-03-03T14:27:10.5"`, time.Date(2022, 3, 3, 6, 27, 10, 500000000, time.UTC)},  // ISO, no zone
		{`"2019-07-24 15:21"`, time.Date(2019, 7, 24, 7, 21, 0, 0, time.UTC)},               // minutes
		{`"2024-01-01T00:00:00Z"`, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},             // RFC 3339 UTC
		{`null`, time.Time{}},
		{`""`, time.Time{}},
		{`0`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var v Time
			require.NoError(t, json.Unmarshal([]byte(tt.in), &v))
			assert.Equal(t, tt.want.IsZero(), v.IsZero())
			assert.True(t, tt.want.Equal(v.In(shanghai)), "got %s", v.In(shanghai))
			if !tt.want.IsZero() {
				assert.Equal(t, time.UTC, v.In(shanghai).Location(), "times come out in UTC")
			}
		})
	}
}

func TestTimeRejectsOtherForms(t *testing.T) {
	for _, bad := range []string{`"24/07/2019"`, `"yesterday"`, `{}`, `[]`, `true`, `1.5`} {
		var v struct{ T Time }
		err := json.Unmarshal([]byte(`{"T":`+bad+`}`), &v)
		assert.Error(t, err, bad)
	}
}

func TestUnix(t *testing.T) {
	assert.True(t, Unix(0).IsZero(), "0 means it did not happen")
	assert.Equal(t, time.Date(2023, 2, 23, 8, 14, 41, 0, time.UTC), Unix(1677140081))
}

func TestTimeErrorNamesTheField(t *testing.T) {
	var v struct {
		T Time `json:"communicateBeginTime"`
	}
	err := json.Unmarshal([]byte(`{"communicateBeginTime":"24/07/2019"}`), &v)
	var typeErr *json.UnmarshalTypeError
	require.ErrorAs(t, err, &typeErr)
	assert.Equal(t, "communicateBeginTime", typeErr.Field)
	assert.Equal(t, `string "24/07/2019"`, typeErr.Value)
}

// tryLayouts is how a text was read before Time kept the layout it found: every layout in
// order, in the zone asked for.
func tryLayouts(s string, loc *time.Location) (time.Time, bool) {
	for _, l := range layouts {
		if v, err := time.ParseInLocation(l.layout, s, loc); err == nil {
			return v.UTC(), true
		}
	}
	return time.Time{}, false
}

// A date-time text is read with the first layout that reads it, in the zone In is given: as
// UnmarshalJSON read it (skipping layouts whose date is followed by another separator), once,
// in UTC, then placed in that zone unless it gives its own.
func FuzzTimeLayout(f *testing.F) {
	for _, s := range []string{
		"2019-07-24 15:23:17 +0800", "2019-07-24T15:23:14.000+08:00", "2022-03-03 14:27:10", "2022-03-03T14:27:10.5",
		"2019-07-24 15:21", "2024-01-01T00:00:00Z", "2024-03-10 02:30:00", "2024-11-03 01:30:00", "2019-07-24  15:21",
		"2019-07-24 15:23:17 +08:00", "2019-07-24T15:23:17", "2019-02-30 10:00:00", "+2019-07-24 15:21", "2019-7-24 15:21",
		"1605318636358", "x", "",
	} {
		f.Add(s, uint8(0))
	}
	newYork, err := time.LoadLocation("America/New_York") // gaps and repeated hours
	require.NoError(f, err)
	zones := []*time.Location{time.UTC, shanghai, time.FixedZone("-12", -12*3600), newYork}
	f.Fuzz(func(t *testing.T, s string, zone uint8) {
		data, err := json.Marshal(s)
		require.NoError(t, err)
		var v Time
		decodeErr := v.UnmarshalJSON(data)
		text := strings.TrimSpace(s)
		if isInteger(text) && decodeErr == nil && !v.fromText {
			return // epoch milliseconds
		}
		_, readable := tryLayouts(text, time.UTC)
		if readable != (decodeErr == nil && v.fromText) {
			t.Fatalf("%q: readable by a layout %t, decoded as a text %t (%v)", s, readable, v.fromText, decodeErr)
		}
		if !readable {
			return
		}
		loc := zones[int(zone)%len(zones)]
		want, _ := tryLayouts(text, loc)
		if got := v.In(loc); !got.Equal(want) {
			t.Fatalf("%q in %s: %s, every layout in order %s", s, loc, got, want)
		}
	})
}
