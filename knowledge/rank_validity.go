package knowledge

// When the best results come from different notices, two rules order them
// beyond their scores:
//
//   - on the same topic, a measure in force answers before one whose
//     notice has expired or been superseded: a notice staff ingested to
//     replace or renew another takes the questions the old one took;
//   - a measure that explains more of the question in its own words answers
//     before one of another notice that scores higher only through its
//     reviewed lexicon: a notice just ingested has no lexicon yet, and its
//     items must not lose every question to the built-in notice's
//     curated phrases (measured: 民营企业的创意怎么落地 went to ind-09).
//     An expired measure does not so overtake one in force, nor does a
//     superseded one; the answer from an expired notice says so first.
//
// Within one notice the scores alone decide.

const (
	// sameTopicExpired is how close (a fraction of the best score) a
	// measure in force of another notice must come to answer before an
	// expired one; sameTopicSuperseded the same for a superseded one.
	sameTopicExpired    = 0.5
	sameTopicSuperseded = 0.3
	// closerCoverage is how much more of the question (its weight matched,
	// in [0,1]) a measure of another notice must explain, within
	// closerScore of the best score, to answer first.
	closerCoverage = 0.05
	closerScore    = 0.5
)

// rerankAcrossNotices applies the two rules to the results and their hits
// alike (they are parallel, best first).
func (b *Base) rerankAcrossNotices(rs []Result, hs []hit) {
	if len(rs) < 2 || len(hs) < len(rs) || rs[0].Measure == nil {
		return
	}
	top := rs[0]
	topNotice := b.noticeOf[top.ID]
	ratio := 0.0
	switch top.ValidityStatus {
	case Superseded:
		ratio = sameTopicSuperseded
	case Passed:
		ratio = sameTopicExpired
	}
	for i := 1; i < len(rs); i++ {
		r := rs[i]
		n := b.noticeOf[r.ID]
		if n == topNotice || hs[i].score <= 0 {
			continue
		}
		inForce := r.ValidityStatus == InForce || b.supersededBy[topNotice] == n && !r.Expired
		switch {
		case ratio > 0 && inForce && hs[i].score >= hs[0].score*ratio:
		case hs[i].coverage > hs[0].coverage+closerCoverage && hs[i].score >= hs[0].score*closerScore &&
			r.ValidityStatus != Superseded && !(r.Expired && top.ValidityStatus == InForce) &&
			!(b.lex.Entry(r.ID) != nil && b.lex.Entry(top.ID) == nil):
		default:
			continue
		}
		copy(rs[1:i+1], rs[0:i])
		rs[0] = r
		h := hs[i]
		copy(hs[1:i+1], hs[0:i])
		hs[0] = h
		return
	}
}
