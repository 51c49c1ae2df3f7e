package call

import "strings"

// EndStatus is how a call ended, the same set of values for every vendor. Each vendor package
// maps its own codes onto it and keeps the raw code beside it.
type EndStatus string

const (
	StatusUnknown          EndStatus = "unknown"
	StatusAnswered         EndStatus = "answered"           // connected and talked
	StatusNoAnswer         EndStatus = "no_answer"          // rang out, nobody picked up
	StatusBusy             EndStatus = "busy"               // the called line was busy
	StatusRejected         EndStatus = "rejected"           // the called party declined
	StatusUnreachable      EndStatus = "unreachable"        // powered off, no such number, suspended...
	StatusAbandonedIVR     EndStatus = "abandoned_in_ivr"   // the caller hung up in the IVR
	StatusAbandonedQueue   EndStatus = "abandoned_in_queue" // the caller hung up while queued
	StatusAbandonedRinging EndStatus = "abandoned_ringing"  // the caller hung up while an agent was ringing
	StatusAbandoned        EndStatus = "abandoned"          // the caller hung up before an answer, stage not given
	StatusIVRCompleted     EndStatus = "ivr_completed"      // served by the IVR, no agent needed
	StatusBotHandled       EndStatus = "bot_handled"        // talked with an AI agent only, no person answered
	StatusNoAgent          EndStatus = "no_agent"           // no agent online or available in time
	StatusOutsideHours     EndStatus = "outside_hours"      // outside business hours
	StatusBlocked          EndStatus = "blocked"            // blacklists, carrier or frequency restrictions
	StatusCanceled         EndStatus = "canceled"           // the calling side hung up before the other side answered
	StatusFailed           EndStatus = "failed"             // line, device or system failure
)

// EndStatuses lists every value, for documentation and validation.
var EndStatuses = []EndStatus{
	StatusAnswered, StatusNoAnswer, StatusBusy, StatusRejected, StatusUnreachable,
	StatusAbandonedIVR, StatusAbandonedQueue, StatusAbandonedRinging, StatusAbandoned,
	StatusIVRCompleted, StatusBotHandled, StatusNoAgent, StatusOutsideHours, StatusBlocked, StatusCanceled,
	StatusFailed, StatusUnknown,
}

// Connected reports whether the call reached a conversation with a person. A call only a bot
// talked to is StatusBotHandled, not connected: it stays out of the agents' KPIs.
func (s EndStatus) Connected() bool { return s == StatusAnswered }

// SelfService reports whether the call was served without a person: by the IVR or a bot.
func (s EndStatus) SelfService() bool { return s == StatusIVRCompleted || s == StatusBotHandled }

// AbandonStage is where the caller gave up, or "" when the call was not abandoned.
func (s EndStatus) AbandonStage() string {
	switch s {
	case StatusAbandonedIVR:
		return "ivr"
	case StatusAbandonedQueue:
		return "queue"
	case StatusAbandonedRinging:
		return "ringing"
	case StatusAbandoned:
		return "unknown"
	default:
		return ""
	}
}

// Satisfaction is a customer's rating on a five-point scale, the same for every vendor.
type Satisfaction string

const (
	SatisfactionNone             Satisfaction = ""
	SatisfactionNotRated         Satisfaction = "not_rated"
	SatisfactionVerySatisfied    Satisfaction = "very_satisfied"
	SatisfactionSatisfied        Satisfaction = "satisfied"
	SatisfactionNeutral          Satisfaction = "neutral"
	SatisfactionDissatisfied     Satisfaction = "dissatisfied"
	SatisfactionVeryDissatisfied Satisfaction = "very_dissatisfied"
)

// satisfactionLabels are the survey labels Chinese call centers use (得助 documents them for
// evaluationScore; TCCC and Udesk surveys show the same words).
var satisfactionLabels = map[string]Satisfaction{
	"非常满意":  SatisfactionVerySatisfied,
	"满意":    SatisfactionSatisfied,
	"一般":    SatisfactionNeutral,
	"不满意":   SatisfactionDissatisfied,
	"非常不满意": SatisfactionVeryDissatisfied,
	"未评价":   SatisfactionNotRated,
}

// SatisfactionFromLabel normalizes a survey label; unknown labels give SatisfactionNone, and the
// caller keeps the raw label.
func SatisfactionFromLabel(label string) Satisfaction {
	return satisfactionLabels[strings.TrimSpace(label)]
}
