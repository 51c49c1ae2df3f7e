// Package uincall decodes the call event pushes of UinCall (优音云客服 通话事件推送): one JSON
// object per event of an agent's outbound call (坐席外呼叫事件), inbound call (坐席来电呼叫事件)
// or state (agentstatus, setAgentType), all posted to the same URL and told apart by command.
package uincall

import (
	"net/http"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
)

// Name is the vendor's configuration key.
const Name = "uincall"

// Platform implements platform.Platform for UinCall.
type Platform struct{}

var _ platform.Platform = Platform{}

func (Platform) Name() string { return Name }

// Decode turns one event into one push. UinCall events carry no time, so the push has none and
// the receiver uses the arrival. Nor do they carry an id, and UinCall documents no retries:
// every push is an event of its own, identical bodies included (the inbound flow of the
// document sends the same agentstatus twice), so the push has no dedup key.
func (Platform) Decode(req platform.Request) ([]call.Push, error) {
	var e event
	payload, warnings, err := platform.Decode(req.Body, &e)
	if err != nil {
		return nil, err
	}
	if e.Command == "" {
		warnings = append(warnings, "command: missing, so the push is an event of no known kind")
	}

	c := call.Call{
		SessionID: e.SessionID,
		CallID:    e.CallID,
		Direction: direction(e.CallDirection),
		Caller:    e.ANI,
		Callee:    e.DNIS,
		Queue:     call.Queue{ID: e.QueueID},
		Agent:     call.Agent{StaffNumber: e.AgentNum},
	}
	c.EndStatus, c.RawEndStatus = endStatus(e.CallResult)

	kind := call.KindCallEvent
	if agentCommands[e.Command] {
		kind = call.KindAgentEvent
	}
	return []call.Push{{
		Vendor:   Name,
		Kind:     kind,
		Tenant:   e.TenantID,
		Arrival:  req.Arrival,
		Call:     c,
		Event:    &call.Event{Name: e.Command, Type: eventType(e.Command), Attributes: attributes(e)},
		Warnings: warnings,
		Payload:  payload,
	}}, nil
}

// PhoneFields are the numbers of UinCall's events: caller (ani) and callee (dnis).
func (Platform) PhoneFields() []string { return []string{"ani", "dnis"} }

// Reply answers with platform.CodeReply: the document specifies no reply.
func (Platform) Reply(w http.ResponseWriter, status int, err error) {
	platform.CodeReply(w, status, err)
}

// attributes keeps the event fields the model has no place for.
func attributes(e event) map[string]any {
	m := map[string]any{}
	for k, v := range map[string]string{
		"dir":        e.Dir,
		"type":       e.Type,
		"agent_type": string(e.AgentType),
		"remark":     e.Remark,
	} {
		if v != "" {
			m[k] = v
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
