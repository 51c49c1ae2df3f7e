// Package attrs names the attributes the receiver emits (one namespace, callcenter.*, plus the
// general OpenTelemetry names where they exist) and builds them from the call model.
//
// Values are plain Go values that both stanza entries and pcommon.Map.FromRaw accept: string,
// int64, float64, bool, []any and map[string]any. They are put into a Sink: a plain map (Raw),
// or a pdata map written directly (Pdata), without the plain map and its conversion.
package attrs

import (
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// General OpenTelemetry attribute names.
const (
	ServiceName = "service.name"
	EventName   = "event.name"
	// LogRecordUID identifies a log record: records with the same value are duplicates and
	// can be removed safely (OpenTelemetry semantic conventions, log attributes).
	LogRecordUID = "log.record.uid"
)

// Resource attributes.
const (
	Vendor   = "callcenter.vendor"
	TenantID = "callcenter.tenant.id"
)

// Push and call attributes.
const (
	PushID     = "callcenter.push.id"
	SessionID  = "callcenter.session.id"
	CallID     = "callcenter.call.id"
	Direction  = "callcenter.direction"
	Caller     = "callcenter.caller.number"
	Callee     = "callcenter.callee.number"
	Customer   = "callcenter.customer.number"
	Location   = "callcenter.customer.location"
	Country    = "callcenter.customer.country"
	Province   = "callcenter.customer.province"
	City       = "callcenter.customer.city"
	Carrier    = "callcenter.customer.carrier"
	TimePrefix = "callcenter.time."     // + start, queued, ring, answer, end: RFC 3339 UTC
	DurPrefix  = "callcenter.duration." // + a call.Phase: seconds

	QueueID   = "callcenter.queue.id"
	QueueName = "callcenter.queue.name"

	// AgentPrefix + id, name, nick, email, staff_number, phone, groups: the call's agent.
	AgentPrefix      = "callcenter.agent."
	AgentID          = AgentPrefix + "id"
	AgentStaffNumber = AgentPrefix + "staff_number"
	AgentPhone       = AgentPrefix + "phone"
	Legs             = "callcenter.legs"

	IVRKeys         = "callcenter.ivr.keys"
	IVRLabels       = "callcenter.ivr.labels"
	IVRPath         = "callcenter.ivr.path"
	PostIVRKeys     = "callcenter.post_ivr.keys"
	PostIVRLabels   = "callcenter.post_ivr.labels"
	EndStatus       = "callcenter.end_status"
	EndStatusRaw    = "callcenter.end_status.raw"
	HangupSide      = "callcenter.hangup_side"
	HangupSideRaw   = "callcenter.hangup_side.raw"
	Satisfaction    = "callcenter.satisfaction"
	SatisfactionRaw = "callcenter.satisfaction.raw"
	TransferCount   = "callcenter.transfer.count"
	Custom          = "callcenter.custom"

	RecordingID           = "callcenter.recording.id"
	RecordingURLs         = "callcenter.recording.urls"
	RecordingURL          = "callcenter.recording.url"
	RecordingCustomURL    = "callcenter.recording.custom_url"
	RecordingEndpointUser = "callcenter.recording.endpoint_user"

	EventRawName = "callcenter.event.name"
	EventType    = "callcenter.event.type"
	EventDetails = "callcenter.event.details"

	// DecodeWarnings names the fields of the push that could not be read (call.Push.Warnings).
	DecodeWarnings = "callcenter.decode.warnings"
)

// Span attributes beyond the call's.
const (
	SpanDerived    = "callcenter.span.derived"    // times derived from the vendor's durations
	SpanIncomplete = "callcenter.span.incomplete" // closed without the event that ends it
	SessionClosure = "callcenter.session.closure" // why an incomplete call was closed: timeout, evicted
	LegSeq         = "callcenter.leg.sequence"
	TransferFrom   = "callcenter.transfer.from" // on a leg's link: the agent who transferred

	// SpanLegPrefix + a leg map key (LegType, LegEndStatus, ...): a leg span's own attributes.
	SpanLegPrefix = "callcenter.leg."
)

// Metric attributes that are not the call's own (the others share the call's names).
const (
	Queue        = "callcenter.queue"         // the queue's name, else its ID
	AbandonStage = "callcenter.abandon.stage" // where the caller gave up
	Agent        = "callcenter.agent"         // the agent's key, with per_agent_metrics
)

// Edge records: what the edge receiver forwards to the assembly tier's connector so that the
// connector can decode the push again exactly as the edge did (see package relay).
const (
	EdgePrefix     = "callcenter.edge."
	EdgeQuery      = EdgePrefix + "query"      // the request's raw query string
	EdgeHeaders    = EdgePrefix + "headers"    // the headers a decoder reads, as a map
	EdgeTimezone   = EdgePrefix + "timezone"   // the zone of vendor times that carry none
	EdgePushIndex  = EdgePrefix + "push.index" // which of the request's pushes this record is
	EdgePushCount  = EdgePrefix + "push.count" // how many pushes the request decoded into
	EdgeRoutingKey = EdgePrefix + "routing"    // what the record's trace ID was derived from
)

// Leg map keys inside callcenter.legs.
const (
	LegAgentPrefix = "agent." // + the agent keys

	LegSequence       = "sequence"
	LegType           = "type"
	LegSkillGroupID   = "skill_group.id"
	LegSkillGroupName = "skill_group.name"
	LegStart          = "start"
	LegRing           = "ring"
	LegAnswer         = "answer"
	LegEnd            = "end"
	LegEndStatus      = "end_status"
	LegEndStatusRaw   = "end_status.raw"
	LegRecordingID    = "recording.id"
	LegTransferFrom   = "transfer.from"
	LegTransferFromTy = "transfer.from_type"
	LegTransferTo     = "transfer.to"
	LegTransferToType = "transfer.to_type"
	LegPriority       = "skill_group.priority"
)

// Resource is whose telemetry it is: the resource of every log record, span and metric the
// receiver emits. The tenant is left out when the vendor and the configuration give none.
type Resource struct {
	// Short JSON names: the resource is saved with every journaled metric observation.
	ServiceName string `json:"s"`
	Vendor      string `json:"v"`
	Tenant      string `json:"t,omitempty"`
}

// Map returns the resource's attributes.
func (r Resource) Map() map[string]any {
	m := make(Raw, 3)
	r.Put(m)
	return m
}

// Put adds the resource's attributes.
func (r Resource) Put(m Sink) {
	m.PutStr(ServiceName, r.ServiceName)
	m.PutStr(Vendor, r.Vendor)
	putStr(m, TenantID, r.Tenant)
}

// Sink is where attributes are put. pcommon.Map has the first four methods; PutRaw puts a
// plain []any or map[string]any. A later put of a key replaces the earlier value.
type Sink interface {
	PutStr(k, v string)
	PutInt(k string, v int64)
	PutDouble(k string, v float64)
	PutBool(k string, v bool)
	PutRaw(k string, v any)
}

// ListSink is a Sink that can put a list of maps in place, each filled by put: pdata maps,
// without plain maps to build and convert. size is about the most keys a map holds.
type ListSink interface {
	PutMaps(k string, n, size int, put func(i int, m Sink))
}

// Raw is a Sink into a plain map: the attributes of stanza entries.
type Raw map[string]any

func (m Raw) PutStr(k, v string)            { m[k] = v }
func (m Raw) PutInt(k string, v int64)      { m[k] = v }
func (m Raw) PutDouble(k string, v float64) { m[k] = v }
func (m Raw) PutBool(k string, v bool)      { m[k] = v }
func (m Raw) PutRaw(k string, v any)        { m[k] = v }

// CallAttributes and PushAttributes are the size a call's span and a push's log record have
// their attribute maps made with: about the most they hold (generated traffic, at most: TCCC 35
// and 38, Udesk 30 and 35, 得助 28 and 30, UinCall 9 and 14), so that a map is allocated once.
// LegAttributes is the same for one leg's map in callcenter.legs (at most 12).
const (
	CallAttributes = 36
	PushAttributes = 40
	LegAttributes  = 12
)

// Push returns the attributes of a push's log record: what it is and everything it says.
func Push(p *call.Push) map[string]any {
	m := make(Raw, PushAttributes) // one allocation, not a growth per few fields
	PutPush(m, p)
	return m
}

// PutPush adds the attributes of a push's log record, as Push returns them.
func PutPush(m Sink, p *call.Push) {
	m.PutStr(EventName, p.Kind.EventName())
	putStr(m, PushID, p.DedupKey)
	PutCall(m, &p.Call)
	if r := p.Recording; r != nil {
		putStr(m, RecordingID, r.ID)
		putStr(m, RecordingURL, r.URL)
		putStr(m, RecordingCustomURL, r.CustomURL)
		putStr(m, RecordingEndpointUser, r.EndpointUser)
	}
	if e := p.Event; e != nil {
		putStr(m, EventRawName, e.Name)
		putStr(m, EventType, string(e.Type))
		if len(e.Attributes) > 0 {
			m.PutRaw(EventDetails, e.Attributes)
		}
	}
	if len(p.Warnings) > 0 {
		m.PutRaw(DecodeWarnings, strs(p.Warnings))
	}
}

// PutCall adds what is known about a call.
func PutCall(m Sink, c *call.Call) {
	putStr(m, SessionID, c.SessionID)
	putStr(m, CallID, c.CallID)
	if c.Direction != "" && c.Direction != call.DirectionUnknown {
		m.PutStr(Direction, string(c.Direction))
	}
	putStr(m, Caller, c.Caller)
	putStr(m, Callee, c.Callee)
	putStr(m, Customer, c.CustomerNumber())
	putStr(m, Location, c.CustomerLocation.Text)
	putStr(m, Country, c.CustomerLocation.Country)
	putStr(m, Province, c.CustomerLocation.Province)
	putStr(m, City, c.CustomerLocation.City)
	putStr(m, Carrier, c.CustomerLocation.Carrier)

	putTime(m, TimePrefix+"start", c.Start)
	putTime(m, TimePrefix+"queued", c.Queued)
	putTime(m, TimePrefix+"ring", c.Ring)
	putTime(m, TimePrefix+"answer", c.Answer)
	putTime(m, TimePrefix+"end", c.End)
	for i, p := range call.Phases {
		if d, ok := c.Duration(p); ok {
			m.PutDouble(durationKeys[i], d.Seconds())
		}
	}

	putStr(m, QueueID, c.Queue.ID)
	putStr(m, QueueName, c.Queue.Name)
	PutAgent(m, AgentPrefix, &c.Agent)
	if len(c.Legs) > 0 {
		putLegs(m, c.Legs)
	}

	putKeys(m, IVRKeys, IVRLabels, c.IVRKeys)
	putKeys(m, PostIVRKeys, PostIVRLabels, c.PostIVRKeys)
	putStr(m, IVRPath, c.IVRPath)
	putStr(m, EndStatus, string(c.EndStatus))
	putStr(m, EndStatusRaw, c.RawEndStatus)
	if c.HangupSide != "" && (c.HangupSide != call.HangupUnknown || c.RawHangup != "") {
		m.PutStr(HangupSide, string(c.HangupSide))
	}
	putStr(m, HangupSideRaw, c.RawHangup)
	putStr(m, Satisfaction, string(c.Satisfaction))
	putStr(m, SatisfactionRaw, c.RawSatisfaction)
	putStr(m, RecordingID, c.RecordingID)
	if len(c.RecordingURLs) > 0 {
		m.PutRaw(RecordingURLs, strs(c.RecordingURLs))
	}
	if c.Transfers > 0 {
		m.PutInt(TransferCount, int64(c.Transfers))
	}
	if len(c.Custom) > 0 {
		m.PutRaw(Custom, c.Custom)
	}
}

// durationKeys are the keys of call.Phases' durations, made once rather than per put.
var durationKeys = func() []string {
	keys := make([]string, len(call.Phases))
	for i, p := range call.Phases {
		keys[i] = DurPrefix + string(p)
	}
	return keys
}()

// agentKeys are the keys of an agent's attributes under one prefix.
type agentKeys struct{ id, name, nick, email, staffNumber, phone, groups string }

func agentKeysOf(prefix string) agentKeys {
	return agentKeys{
		id: prefix + "id", name: prefix + "name", nick: prefix + "nick", email: prefix + "email",
		staffNumber: prefix + "staff_number", phone: prefix + "phone", groups: prefix + "groups",
	}
}

// The agent keys under the two prefixes in use, made once rather than per put.
var callAgentKeys, legAgentKeys = agentKeysOf(AgentPrefix), agentKeysOf(LegAgentPrefix)

// PutAgent adds what is known about an agent, under AgentPrefix for the call's agent or
// LegAgentPrefix inside a leg.
func PutAgent(m Sink, prefix string, a *call.Agent) {
	var keys agentKeys
	switch prefix {
	case AgentPrefix:
		keys = callAgentKeys
	case LegAgentPrefix:
		keys = legAgentKeys
	default:
		keys = agentKeysOf(prefix)
	}
	putStr(m, keys.id, a.ID)
	putStr(m, keys.name, a.Name)
	putStr(m, keys.nick, a.Nick)
	putStr(m, keys.email, a.Email)
	putStr(m, keys.staffNumber, a.StaffNumber)
	putStr(m, keys.phone, a.Phone)
	if len(a.Groups) > 0 {
		m.PutRaw(keys.groups, strs(a.Groups))
	}
}

// putLegs adds the call's legs, in place when the sink can put maps.
func putLegs(m Sink, legs []call.Leg) {
	if list, ok := m.(ListSink); ok {
		list.PutMaps(Legs, len(legs), LegAttributes, func(i int, m Sink) { putLeg(m, &legs[i]) })
		return
	}
	out := make([]any, 0, len(legs))
	for i := range legs {
		out = append(out, Leg(&legs[i]))
	}
	m.PutRaw(Legs, out)
}

// Leg returns one agent leg as a map: the agent attributes and the leg's own keys.
func Leg(l *call.Leg) map[string]any {
	m := make(Raw, LegAttributes)
	putLeg(m, l)
	return m
}

func putLeg(m Sink, l *call.Leg) {
	m.PutInt(LegSequence, int64(l.Sequence))
	PutAgent(m, LegAgentPrefix, &l.Agent)
	putStr(m, LegType, l.Type)
	putStr(m, LegSkillGroupID, l.SkillGroup.ID)
	putStr(m, LegSkillGroupName, l.SkillGroup.Name)
	putTime(m, LegStart, l.Start)
	putTime(m, LegRing, l.Ring)
	putTime(m, LegAnswer, l.Answer)
	putTime(m, LegEnd, l.End)
	putStr(m, LegEndStatus, string(l.EndStatus))
	putStr(m, LegEndStatusRaw, l.RawEndStatus)
	putStr(m, LegRecordingID, l.RecordingID)
	putStr(m, LegTransferFrom, l.TransferFrom)
	putStr(m, LegTransferFromTy, l.TransferFromType)
	putStr(m, LegTransferTo, l.TransferTo)
	putStr(m, LegTransferToType, l.TransferToType)
	if l.Priority != 0 {
		m.PutInt(LegPriority, int64(l.Priority))
	}
}

// PutLegSpan adds the attributes of a record's agent leg as its span has them: its agent as the
// call's agent, its number, and the leg's own under SpanLegPrefix.
func PutLegSpan(m Sink, l *call.Leg) {
	PutAgent(m, AgentPrefix, &l.Agent)
	m.PutInt(LegSeq, int64(l.Sequence))
	putStr(m, SpanLegPrefix+LegType, l.Type)
	putStr(m, SpanLegPrefix+LegSkillGroupID, l.SkillGroup.ID)
	putStr(m, SpanLegPrefix+LegSkillGroupName, l.SkillGroup.Name)
	putStr(m, SpanLegPrefix+LegEndStatus, string(l.EndStatus))
	putStr(m, SpanLegPrefix+LegEndStatusRaw, l.RawEndStatus)
	putStr(m, SpanLegPrefix+LegRecordingID, l.RecordingID)
	putStr(m, SpanLegPrefix+LegTransferFrom, l.TransferFrom)
	putStr(m, SpanLegPrefix+LegTransferTo, l.TransferTo)
}

func putStr(m Sink, k, v string) {
	if v != "" {
		m.PutStr(k, v)
	}
}

func putTime(m Sink, k string, t time.Time) {
	if !t.IsZero() {
		m.PutStr(k, t.UTC().Format(time.RFC3339Nano))
	}
}

func putKeys(m Sink, keysKey, labelsKey string, keys []call.Key) {
	if len(keys) == 0 {
		return
	}
	ks := make([]any, 0, len(keys))
	labels := make([]any, 0, len(keys))
	labeled := false
	for _, k := range keys {
		ks = append(ks, k.Key)
		labels = append(labels, k.Label)
		labeled = labeled || k.Label != ""
	}
	m.PutRaw(keysKey, ks)
	if labeled {
		m.PutRaw(labelsKey, labels)
	}
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
