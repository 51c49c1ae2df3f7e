package traffic

// Stat is a count and a sum of seconds.
type Stat struct {
	Count int     `json:"count"`
	Sum   float64 `json:"sum"`
}

// Mean is Sum/Count.
func (s Stat) Mean() float64 {
	if s.Count == 0 {
		return 0
	}
	return s.Sum / float64(s.Count)
}

// Thresholds of the KPIs.
const (
	ServiceLevelThreshold = 20 // seconds: answered within this is within service level
	ShortAbandon          = 5  // seconds: abandons within this are not counted against the center
)

// Summary is the ground truth aggregated the way the receiver's metrics aggregate it. Keys join
// attribute values with "|".
type Summary struct {
	Calls       map[string]int  `json:"calls"`       // vendor|direction|end_status
	Offered     map[string]int  `json:"offered"`     // vendor|direction|end_status
	Abandoned   map[string]int  `json:"abandoned"`   // vendor|stage
	Transferred map[string]int  `json:"transferred"` // vendor
	Transfers   map[string]int  `json:"transfers"`   // vendor
	Ratings     map[string]int  `json:"ratings"`     // vendor|satisfaction
	Recordings  map[string]int  `json:"recordings"`  // vendor|kind
	Events      map[string]int  `json:"events"`      // vendor|kind|type
	Phases      map[string]Stat `json:"phases"`      // vendor|direction|phase, for vendors with times
	// AnsweredInTime counts inbound answered calls answered within ServiceLevelThreshold, and
	// ShortAbandons inbound queue and ringing abandons within ShortAbandon, by vendor.
	AnsweredInTime map[string]int    `json:"answered_in_time"`
	ShortAbandons  map[string]int    `json:"short_abandons"`
	KPIs           map[string]KPIset `json:"kpis"` // by vendor, inbound calls
}

// KPIset are the industry KPIs of one vendor's inbound calls, as the README defines them.
type KPIset struct {
	Offered        int     `json:"offered"`         // reached a queue or an agent, whatever the end
	ServiceLevel   float64 `json:"service_level"`   // answered within 20 s / (offered - short abandons)
	ASA            float64 `json:"asa"`             // mean speed of answer, s
	AHT            float64 `json:"aht"`             // mean talk + after-call work of answered calls, s
	AbandonRate    float64 `json:"abandon_rate"`    // (offered abandons - short abandons) / (offered - short abandons)
	TransferRate   float64 `json:"transfer_rate"`   // transferred / answered
	IVRContainment float64 `json:"ivr_containment"` // ivr_completed / inbound calls
	BotHandled     float64 `json:"bot_handled"`     // bot_handled / inbound calls
}

// Summarize aggregates the truth of the calls and the pushes that carried them.
func Summarize(calls []Call, pushes []Push) Summary {
	s := Summary{
		Calls: map[string]int{}, Offered: map[string]int{}, Abandoned: map[string]int{}, Transferred: map[string]int{},
		Transfers: map[string]int{}, Ratings: map[string]int{}, Recordings: map[string]int{},
		Events: map[string]int{}, Phases: map[string]Stat{}, AnsweredInTime: map[string]int{},
		ShortAbandons: map[string]int{}, KPIs: map[string]KPIset{},
	}
	type inbound struct {
		calls, answered, offered, ivrCompleted, bot, abandons, short, inTime, transferred int
		speed, handle                                                                     float64
	}
	per := map[string]*inbound{}
	for _, c := range calls {
		v := c.Vendor
		s.Calls[v+"|"+c.Direction+"|"+c.EndStatus]++
		if c.Offered {
			s.Offered[v+"|"+c.Direction+"|"+c.EndStatus]++
		}
		if c.AbandonStage != "" {
			s.Abandoned[v+"|"+c.AbandonStage]++
		}
		if c.Transfers > 0 {
			s.Transferred[v]++
			s.Transfers[v] += c.Transfers
		}
		if c.Satisfaction != "" {
			s.Ratings[v+"|"+c.Satisfaction]++
		}
		for phase, secs := range c.Phases {
			st := s.Phases[v+"|"+c.Direction+"|"+phase]
			st.Count++
			st.Sum += secs
			s.Phases[v+"|"+c.Direction+"|"+phase] = st
		}
		if c.Direction != "inbound" || !c.Timed {
			continue
		}
		in := per[v]
		if in == nil {
			in = &inbound{}
			per[v] = in
		}
		in.calls++
		if c.Offered {
			in.offered++
		}
		switch c.EndStatus {
		case "answered":
			in.answered++
			in.speed += c.Phases["speed_of_answer"]
			in.handle += c.Phases["talk"] + c.Phases["acw"]
			if c.Phases["speed_of_answer"] <= ServiceLevelThreshold {
				in.inTime++
				s.AnsweredInTime[v]++
			}
			if c.Transfers > 0 {
				in.transferred++
			}
		case "ivr_completed":
			in.ivrCompleted++
		case "bot_handled":
			in.bot++
		}
		if c.Offered && (c.AbandonStage == "queue" || c.AbandonStage == "ringing") {
			in.abandons++
			if c.Phases["time_to_abandon"] <= ShortAbandon {
				in.short++
				s.ShortAbandons[v]++
			}
		}
	}
	for v, in := range per {
		k := KPIset{Offered: in.offered}
		if d := in.offered - in.short; d > 0 {
			k.ServiceLevel = float64(in.inTime) / float64(d)
			k.AbandonRate = float64(in.abandons-in.short) / float64(d)
		}
		if in.answered > 0 {
			k.ASA = in.speed / float64(in.answered)
			k.AHT = in.handle / float64(in.answered)
			k.TransferRate = float64(in.transferred) / float64(in.answered)
		}
		k.IVRContainment = float64(in.ivrCompleted) / float64(in.calls)
		k.BotHandled = float64(in.bot) / float64(in.calls)
		s.KPIs[v] = k
	}
	for _, p := range pushes {
		if p.Repeat {
			continue
		}
		if p.Event != "" {
			s.Events[p.Vendor+"|"+p.EventKind+"|"+p.Event]++
		}
		if p.Recording != "" {
			s.Recordings[p.Vendor+"|"+p.Recording]++
		}
	}
	return s
}
