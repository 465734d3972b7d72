package knowledge

// On the same topic, a measure in force answers before one whose notice has
// expired or been superseded: a notice staff ingested to replace or renew
// another takes the questions the old one took.

// sameTopic is how close (a fraction of the best score) a measure of
// another notice must come to count as an answer on the same topic:
// closer for an expired measure, less close for a superseded one.
const (
	sameTopicExpired    = 0.5
	sameTopicSuperseded = 0.3
)

// preferInForce moves up, over an expired or superseded best result, the
// best result of another notice that is not: the results and their hits
// are reordered alike. Results within one notice keep their order.
func (b *Base) preferInForce(rs []Result, hs []hit) {
	if len(rs) < 2 || len(hs) < len(rs) || rs[0].Measure == nil {
		return
	}
	top := rs[0]
	ratio := 0.0
	switch top.ValidityStatus {
	case Superseded:
		ratio = sameTopicSuperseded
	case Passed:
		ratio = sameTopicExpired
	default:
		return
	}
	topNotice := b.noticeOf[top.ID]
	for i := 1; i < len(rs); i++ {
		r := rs[i]
		if r.Expired || r.ValidityStatus == Passed || r.ValidityStatus == Superseded || b.noticeOf[r.ID] == topNotice {
			continue
		}
		if hs[i].score < hs[0].score*ratio {
			return
		}
		copy(rs[1:i+1], rs[0:i])
		rs[0] = r
		h := hs[i]
		copy(hs[1:i+1], hs[0:i])
		hs[0] = h
		return
	}
}
