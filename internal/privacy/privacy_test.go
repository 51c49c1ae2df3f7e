package privacy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

const key = "0123456789abcdef-secret"

func push() *call.Push {
	return &call.Push{
		Call: call.Call{
			Caller: "13912345678", Callee: "02161234567", Agent: call.Agent{Phone: "18600001111", Email: "a@x.com"},
			Legs: []call.Leg{{Agent: call.Agent{Phone: "18600002222"}}},
		},
		Recording: &call.Recording{EndpointUser: "13123456789"},
		Payload: payload(map[string]any{
			"Caller": "13912345678", "Callee": "02161234567", "EndpointUser": int64(13123456789),
			"SeatUser":          map[string]any{"Phone": "18600001111", "Mail": "a@x.com"},
			"ServeParticipants": []any{map[string]any{"Phone": "18600002222"}, map[string]any{"Phone": ""}},
			"TelLocation":       map[string]any{"TelNumber": "008613912345678", "City": "安顺"},
			"Remark":            "call 13912345678 back", // not a declared field: untouched
		}),
	}
}

func payload(raw map[string]any) pcommon.Map {
	m := pcommon.NewMap()
	if err := m.FromRaw(raw); err != nil {
		panic(err)
	}
	return m
}

var fields = []string{"Caller", "Callee", "EndpointUser", "SeatUser.Phone", "ServeParticipants[].Phone", "TelLocation.TelNumber", "Missing.Path", "Caller.Deeper"}

func TestMask(t *testing.T) {
	p := push()
	New(Mask, "").Apply(p, fields)
	payload := p.Payload.AsRaw()
	assert.Equal(t, "139****5678", p.Call.Caller)
	assert.Equal(t, "021****4567", p.Call.Callee)
	assert.Equal(t, "186****1111", p.Call.Agent.Phone)
	assert.Equal(t, "186****2222", p.Call.Legs[0].Agent.Phone)
	assert.Equal(t, "131****6789", p.Recording.EndpointUser)
	assert.Equal(t, "139****5678", payload["Caller"])
	assert.Equal(t, "131****6789", payload["EndpointUser"], "numbers sent as JSON numbers too")
	assert.Equal(t, "186****1111", payload["SeatUser"].(map[string]any)["Phone"])
	assert.Equal(t, "a@x.com", payload["SeatUser"].(map[string]any)["Mail"])
	assert.Equal(t, "186****2222", payload["ServeParticipants"].([]any)[0].(map[string]any)["Phone"])
	assert.Contains(t, payload["ServeParticipants"].([]any)[1], "Phone")
	assert.Empty(t, payload["ServeParticipants"].([]any)[1].(map[string]any)["Phone"], "an empty number stays empty")
	assert.Equal(t, "008********5678", payload["TelLocation"].(map[string]any)["TelNumber"])
	assert.Equal(t, "call 13912345678 back", payload["Remark"])
	assert.Equal(t, "*****02", New(Mask, "").Number("3333002"), "short numbers keep two digits")
}

func TestHash(t *testing.T) {
	p := push()
	h := New(Hash, key)
	h.Apply(p, fields)
	payload := p.Payload.AsRaw()
	assert.True(t, strings.HasPrefix(p.Call.Caller, "hmac:"))
	assert.NotContains(t, p.Call.Caller, "5678")
	assert.Equal(t, p.Call.Caller, payload["Caller"], "the same number hashes the same everywhere")
	assert.Equal(t, p.Call.Caller, payload["TelLocation"].(map[string]any)["TelNumber"], "with or without the country code")
	assert.Equal(t, h.Number("+86 139-1234-5678"), h.Number("13912345678"), "however it is written")
	assert.NotEqual(t, h.Number("13912345678"), New(Hash, key+"x").Number("13912345678"), "keyed: another key, another hash")
	assert.NotEqual(t, h.Number("13912345678"), h.Number("13912345679"))
}

func TestKeepAndEmails(t *testing.T) {
	p := push()
	New(Keep, "").Apply(p, fields)
	assert.Equal(t, "13912345678", p.Call.Caller)
	r := &call.Push{Recording: &call.Recording{EndpointUser: "lululing@tencent.com"}}
	New(Mask, "").Apply(r, nil)
	assert.Equal(t, "lululing@tencent.com", r.Recording.EndpointUser, "an agent's email is not a phone number")
}

func TestValidate(t *testing.T) {
	require.NoError(t, Validate(Keep, ""))
	require.NoError(t, Validate(Mask, ""))
	require.NoError(t, Validate(Hash, key))
	require.ErrorContains(t, Validate(Hash, "short"), "hash_key: must be at least 16 characters")
	assert.ErrorContains(t, Validate("redact", ""), `phone_numbers: "redact" must be keep, mask or hash`)
}
