package traffic

import (
	"encoding/json"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// uincallResult is the call_result of a call's hangup: "twc返回的外呼通话结果:0,成功 1、2线路不通".
// 0 is the line going through, which an answered call had, and so may a call nobody answered:
// the customer's phone rang. A failed call's line did not go through (1).
func uincallResult(g *gen, p *plan) int {
	switch {
	case p.EndStatus == string(call.StatusFailed):
		return 1
	case p.answered:
		return 0
	case p.rang > 0 && g.chance(0.3):
		return 0 // the line went through and the phone rang; nobody talked: still not answered
	default:
		return -1
	}
}

// uincallDelivery sends a call's events as UinCall does, each once (UinCall documents no
// retries), and adds the edge cases the document shows:
//   - the inbound flow reports the agent's state twice with the same body (1.3.2.1 and 1.3.1.3
//     are the same bytes): each is an event;
//   - a call_talking that comes after the call_hangup (the document titles a call_talking example
//     with a call_hangup body): new information that still makes the call answered.
func uincallDelivery(g *gen, p *plan, events []Push) []Push {
	out := events
	if p.inbound && g.chance(0.3) {
		status := mustJSON(map[string]any{
			"tenant_id": tenants["uincall"], "remark": "https://callcenter.example.com/uincall", "type": "event",
			"dir": "DN", "agent_num": p.agentNumber, "command": "agentstatus", "agent_type": 0, "call_result": -1,
		})
		for _, at := range []time.Time{p.Start.Add(-3 * time.Second), p.Start.Add(-time.Second)} {
			out = append(out, Push{Vendor: "uincall", At: at, Path: "/uincall", Body: json.RawMessage(status),
				Event: string(call.EventAgentStatus), EventKind: "agent_event"})
		}
	}
	if p.answered && len(events) >= 2 && g.chance(0.08) {
		// The talk arrives half a second after the hangup, within any grace for late pushes.
		talking, hangup := &out[len(events)-2], out[len(events)-1]
		talking.At = hangup.At.Add(500 * time.Millisecond)
	}
	return out
}
