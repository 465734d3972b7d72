// Package eligibility estimates the awards an enterprise may claim under the
// measures of a notice (today 城政办发〔2023〕5号), from a profile of the
// enterprise.
//
// It owns the award rules as data (rules.json, read side by side with the
// notice), the handful of general rule kinds that apply them (kinds.go), the
// profile and its strict decoding, the report with its arithmetic, and the
// questionnaire that fills a profile in a dialog (questions.json) with the
// parsers that understand how people answer (是的, 三成半, 1.2个亿, 去年).
//
// It must not know the notice's text, the lexicon or the search (knowledge:
// a test here holds the lexicon's quoted amounts to these rules), channels,
// tickets or storage. It reads no clock: callers pass the day, which decides
// relative years (去年) and what counts as this year.
package eligibility
