// Package call is the vendor-neutral model of what call centers push. Every vendor decoder
// produces Pushes; everything after decoding (logs, metrics, traces, dedup) reads only this.
package call

import (
	"cmp"
	"math"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Kind is what a push reports.
type Kind string

const (
	// KindCallRecord is the final record of a completed call (TCCC cdr, 得助 record, Udesk end).
	KindCallRecord Kind = "call_record"
	// KindRecording announces a call recording (TCCC record).
	KindRecording Kind = "recording"
	// KindVoicemail announces a voicemail left in the IVR (TCCC voicemail).
	KindVoicemail Kind = "voicemail"
	// KindCallEvent is one step of a call in progress (Udesk occasions, UinCall call commands).
	KindCallEvent Kind = "call_event"
	// KindAgentEvent is a change of an agent's state outside any call (UinCall agentstatus).
	KindAgentEvent Kind = "agent_event"
)

// EventName is the value of the OpenTelemetry event.name attribute for this kind.
func (k Kind) EventName() string { return "callcenter." + string(k) }

// Direction is the direction of a call from the call center's point of view.
type Direction string

const (
	DirectionUnknown  Direction = "unknown"
	DirectionInbound  Direction = "inbound"
	DirectionOutbound Direction = "outbound"
)

// HangupSide is who ended the call.
type HangupSide string

const (
	HangupUnknown  HangupSide = "unknown"
	HangupCustomer HangupSide = "customer"
	HangupAgent    HangupSide = "agent"
	HangupSystem   HangupSide = "system"
	HangupTransfer HangupSide = "transfer"
)

// Phase names a stretch of a call. Durations are keyed by phase.
type Phase string

const (
	PhaseTotal Phase = "total" // whole call, first event to last
	PhaseIVR   Phase = "ivr"   // in the IVR, before queueing
	PhaseQueue Phase = "queue" // waiting for an agent
	PhaseRing  Phase = "ring"  // ringing until answered (agent side inbound, customer side outbound)
	PhaseTalk  Phase = "talk"  // connected
	PhaseACW   Phase = "acw"   // the agent's after-call work
)

// Phases lists every phase in the order a call goes through them.
var Phases = []Phase{PhaseTotal, PhaseIVR, PhaseQueue, PhaseRing, PhaseTalk, PhaseACW}

// Push is one decoded vendor push.
type Push struct {
	Vendor string
	Kind   Kind
	// Tenant is the vendor's account or instance the push belongs to.
	Tenant string
	// Time is when the reported thing happened; zero when the vendor does not say.
	Time time.Time
	// Arrival is when the receiver got the push.
	Arrival time.Time
	// DedupKey identifies this push across the vendor's retries; empty when the vendor gives none.
	DedupKey string
	// EndIsFinal is set by vendors that document every push of a call after its end as a retry
	// of an earlier one (Udesk). Without it, a push after the end is new information.
	EndIsFinal bool
	// Segment is set by vendors whose customer call can arrive as several calls of their own,
	// each with its own end (Udesk: a transfer is a new conversation_id): what may join this one
	// to an earlier one.
	Segment *Segment

	Call      Call
	Recording *Recording // KindRecording and KindVoicemail
	Event     *Event     // KindCallEvent, KindAgentEvent and the event a call record closes

	// Warnings name the fields that could not be read, each with its path and what was wrong
	// ("data.callType: expected an integer, got object"), or that are missing: those fields are
	// zero in Call and as sent in Payload.
	Warnings []string

	// Payload is the vendor's body, whole, as its log record's body will hold it (flex.Body):
	// maps, slices, strings, bools, ints, doubles, empty values for null. Building the log
	// record moves it there, without a copy: the push's payload is empty after.
	Payload pcommon.Map
}

// Segment tells whether a vendor's call continues an earlier one of the same customer call.
type Segment struct {
	// Group is what the calls of one customer share (Udesk call_id, 同一客户一系列通话唯一id). It
	// groups a customer's calls, so it is not enough to join them.
	Group string
	// TransferFrom is the agent (Agent.ID) of the earlier call this one was transferred from
	// (Udesk from_agent_id with category transfer); "" when it is no transfer.
	TransferFrom string
}

// When is the time the push is about: the vendor's time, or arrival when it gave none.
func (p *Push) When() time.Time {
	if p.Time.IsZero() {
		return p.Arrival
	}
	return p.Time
}

// Call is what a push says about one call. Fields the vendor did not give stay zero, and are
// left out of the receiver's saved state (omitzero): most of a call's fields, a third of a
// snapshot's bytes. An Agent is kept whole: Agent.IsZero takes empty Groups for none.
type Call struct {
	// SessionID identifies the call (TCCC SessionId, Udesk conversation_id, UinCall session_id,
	// 得助 iccCallId).
	SessionID string `json:",omitzero"`
	// CallID is the vendor's other call identifier (Udesk call_id groups a customer's calls,
	// UinCall call_id, 得助 record id).
	CallID    string    `json:",omitzero"`
	Direction Direction `json:",omitzero"`

	Caller string `json:",omitzero"` // calling number
	Callee string `json:",omitzero"` // called number
	// CustomerLocation is where the customer's number is registered.
	CustomerLocation Location `json:",omitzero"`

	// Moments of the call. Zero when unknown.
	Start  time.Time `json:",omitzero"` // call began (entered the system)
	Queued time.Time `json:",omitzero"` // entered the queue
	Ring   time.Time `json:",omitzero"` // first ringing (agent side inbound, customer side outbound)
	Answer time.Time `json:",omitzero"` // connected
	End    time.Time `json:",omitzero"` // ended

	// Durations the vendor reported or that follow from its moments.
	Durations map[Phase]time.Duration `json:",omitzero"`

	Queue Queue `json:",omitzero"`
	// Agent is the agent the call is attributed to: the last one who handled it.
	Agent Agent
	// Legs are the agents' parts of the call in order; transfers add legs.
	Legs []Leg `json:",omitzero"`

	IVRKeys     []Key  `json:",omitzero"` // keys pressed in the IVR
	PostIVRKeys []Key  `json:",omitzero"` // keys pressed after the call, usually the satisfaction survey
	IVRPath     string `json:",omitzero"` // the IVR route taken, as the vendor describes it

	EndStatus    EndStatus  `json:",omitzero"`
	RawEndStatus string     `json:",omitzero"` // the vendor's own value behind EndStatus
	HangupSide   HangupSide `json:",omitzero"`
	RawHangup    string     `json:",omitzero"`

	Satisfaction    Satisfaction `json:",omitzero"`
	RawSatisfaction string       `json:",omitzero"`

	RecordingID   string   `json:",omitzero"` // the vendor's id of the call's recording
	RecordingURLs []string `json:",omitzero"`
	Transfers     int      `json:",omitzero"`

	// Custom holds fields the tenant defines: forms, notes, pass-through data.
	Custom map[string]any `json:",omitzero"`
}

// SetSeconds records a phase duration a vendor gives in whole seconds. Values that are negative
// or too large for a time.Duration are vendor glitches (or hostile input) and are dropped before
// they can overflow.
func (c *Call) SetSeconds(p Phase, sec int64) {
	if sec < 0 || sec > math.MaxInt64/int64(time.Second) {
		return
	}
	c.SetDuration(p, time.Duration(sec)*time.Second)
}

// Duration returns the duration of a phase and whether it is known.
func (c *Call) Duration(p Phase) (time.Duration, bool) {
	d, ok := c.Durations[p]
	return d, ok
}

// SetDuration records a phase duration; negative values are vendor glitches and are dropped.
func (c *Call) SetDuration(p Phase, d time.Duration) {
	if d < 0 {
		return
	}
	if c.Durations == nil {
		c.Durations = make(map[Phase]time.Duration, len(Phases))
	}
	c.Durations[p] = d
}

// CustomerNumber is the customer's side of the call: the caller inbound, the callee outbound.
func (c *Call) CustomerNumber() string {
	switch c.Direction {
	case DirectionInbound:
		return c.Caller
	case DirectionOutbound:
		return c.Callee
	default:
		return ""
	}
}

// Location is where a phone number is registered, as the vendor reports it.
type Location struct {
	Text     string `json:",omitzero"` // the vendor's own wording, e.g. "北京 北京"
	Country  string `json:",omitzero"`
	Province string `json:",omitzero"`
	City     string `json:",omitzero"`
	Carrier  string `json:",omitzero"`
}

// Queue is the queue (skill group) a call waited in.
type Queue struct {
	ID   string `json:",omitzero"`
	Name string `json:",omitzero"`
}

// Agent is a person answering calls.
type Agent struct {
	ID          string   `json:",omitzero"` // the vendor's user id
	Name        string   `json:",omitzero"`
	Nick        string   `json:",omitzero"`
	Email       string   `json:",omitzero"`
	StaffNumber string   `json:",omitzero"` // 工号
	Phone       string   `json:",omitzero"` // the agent's own phone number
	Groups      []string `json:",omitzero"`
}

// Key is the agent's identity for grouping: the staff number, else the user id, email or name.
func (a *Agent) Key() string { return cmp.Or(a.StaffNumber, a.ID, a.Email, a.Name) }

// IsZero reports whether nothing is known about the agent.
func (a *Agent) IsZero() bool {
	return a.ID == "" && a.Name == "" && a.Nick == "" && a.Email == "" && a.StaffNumber == "" &&
		a.Phone == "" && len(a.Groups) == 0
}

// Leg is one agent's part in a call: ringing, talking, and where it was transferred.
type Leg struct {
	Sequence   int `json:",omitzero"`
	Agent      Agent
	Type       string    `json:",omitzero"` // the vendor's endpoint type (TCCC staffSeat, miniProgramSeat...)
	SkillGroup Queue     `json:",omitzero"`
	Start      time.Time `json:",omitzero"`
	Ring       time.Time `json:",omitzero"`
	Answer     time.Time `json:",omitzero"`
	End        time.Time `json:",omitzero"`

	EndStatus    EndStatus `json:",omitzero"`
	RawEndStatus string    `json:",omitzero"`

	RecordingID      string `json:",omitzero"`
	TransferFrom     string `json:",omitzero"`
	TransferFromType string `json:",omitzero"`
	TransferTo       string `json:",omitzero"`
	TransferToType   string `json:",omitzero"`
	Priority         int    `json:",omitzero"`
}

// Key is one IVR key press and what the IVR called it.
type Key struct {
	Key   string `json:",omitzero"`
	Label string `json:",omitzero"`
}

// Recording is a recording or voicemail notice.
type Recording struct {
	ID           string
	URL          string
	CustomURL    string // a copy in the tenant's own storage
	EndpointUser string // whose side was recorded: a phone number or an agent's email
}

// Event is one step in a call or an agent's day. The agent it concerns is Push.Call.Agent.
type Event struct {
	// Name is the vendor's own event name (Udesk occasion, UinCall command).
	Name string
	// Type is a normalized event type.
	Type EventType
	// Attributes are the vendor's event-specific fields (UinCall dir/type/agent_type...).
	Attributes map[string]any
}

// EventType is a vendor-neutral classification of call and agent events.
type EventType string

const (
	EventOther            EventType = "other"
	EventCallStarted      EventType = "call_started"      // a call entered the system or an agent dialed
	EventQueued           EventType = "queued"            // the call entered a queue
	EventAgentRinging     EventType = "agent_ringing"     // an agent is being offered the call
	EventCustomerRinging  EventType = "customer_ringing"  // the customer's phone is ringing
	EventAgentAnswered    EventType = "agent_answered"    // the agent picked up
	EventCustomerAnswered EventType = "customer_answered" // the customer picked up
	EventTalking          EventType = "talking"           // both sides connected
	EventAgentMissed      EventType = "agent_missed"      // the offered agent did not answer
	EventTransfer         EventType = "transfer"
	EventTransferFailed   EventType = "transfer_failed"
	EventConsult          EventType = "consult"
	EventConsultFailed    EventType = "consult_failed"
	EventThreeParty       EventType = "three_party"
	EventThreePartyFailed EventType = "three_party_failed"
	EventSupervisor       EventType = "supervisor" // listening, whisper, barge-in, takeover
	EventSupervisorFailed EventType = "supervisor_failed"
	EventHangup           EventType = "hangup" // one side hung up
	EventCallEnded        EventType = "call_ended"
	EventAgentStatus      EventType = "agent_status"
)
