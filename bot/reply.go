// Package bot is the conversation engine: it takes a message or an action from
// a conversation and returns replies that channel adapters (terminal, Discord,
// web, WeChat) render, and it keeps each conversation's state (migrations/).
// It owns the dialogs (questions, the award questionnaire, the report form);
// it must not know any channel, nor what a ticket may do or when it is due:
// it files and looks up intake's tickets through Tickets (*intake.Store),
// and the answers, awards and coverage are knowledge's and eligibility's.
package bot

// Key identifies one conversation: a channel and a user within it.
type Key struct {
	Channel string // "terminal", "discord", "web"
	User    string // channel-specific user or conversation id
}

// String is the stored form of the key, e.g. "discord:123456".
func (k Key) String() string { return k.Channel + ":" + k.User }

// Input is one turn from the user: free text, or an action chosen from an
// earlier reply (a button, a select option), or a submitted form.
type Input struct {
	Text   string            // what the user typed; may be a command such as /award
	Action string            // the ID of a Choice the user picked; empty for text
	Form   map[string]string // fields of a submitted Form (enterprise, contact, description)
	// Source is who is behind the conversation as the channel knows it
	// when its conversation ids are the client's to choose (the web: the
	// client's address). Tickets are budgeted per source, so a fresh
	// conversation id gets no fresh budget. Empty: the conversation key.
	Source string
}

// Reply is one message to show. Adapters render Text as paragraphs, Choices as
// numbered options (terminal) or buttons/selects (Discord, web), Card as an
// embed or panel, and Form as a modal or a sequence of prompts.
type Reply struct {
	Text    string
	Choices []Choice
	Card    *Card
	Form    *Form
	// Private is set on replies that must not appear in a public channel
	// (award dialogs, tickets): adapters send them ephemerally or by DM.
	Private bool
	// NumberAnswer is set when the pending question takes a typed number
	// (a percentage, an amount): adapters that let a typed number pick a
	// choice must not do so for this reply.
	NumberAnswer bool
}

// Choice is an option the user can pick instead of typing.
type Choice struct {
	ID    string // opaque action id sent back in Input.Action
	Label string // what the user sees (Chinese)
	// Style hints the adapter: "primary", "secondary", "danger"; empty is default.
	Style string
}

// Card is structured content: an answer to a question, a ticket, an award report.
type Card struct {
	Title  string
	Body   string
	Fields []Field
	Footer string
}

// Field is one name/value pair of a Card.
type Field struct {
	Name  string
	Value string
}

// Form asks the user for several fields at once.
type Form struct {
	ID     string // sent back as Input.Action when submitted
	Title  string
	Fields []FormField
}

// FormField is one input of a Form.
type FormField struct {
	Name        string // key in Input.Form
	Label       string
	Placeholder string
	// Value is a prefilled answer (the question just asked, the text being
	// edited): adapters show it and let the user keep it.
	Value    string
	Long     bool // multi-line
	Required bool
	MaxLen   int
}
