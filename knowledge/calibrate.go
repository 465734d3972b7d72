package knowledge

// The confidence that the best measure answers a question: a logistic model
// over what the ranker knows of its best hit, fitted on labelled questions
// (in scope, with the measure that answers them, and near misses: another
// sense of a measure's word, a programme no clause has, a person's own
// affairs) by TestCalibration, which writes calibration.json with -update
// and the reliability table and the coverage/abstention trade-off it was
// chosen from to testdata/calibration.txt. The thresholds at which huiqi
// answers or offers candidates are chosen from that table and live in the
// same file.

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sync"
)

//go:embed calibration.json
var calibrationJSON []byte

// featureNames are the model's inputs, in order (calibration.json names
// them too, so a file fitted for other features fails to load).
var featureNames = []string{"coverage", "concept", "score", "qsim", "explained", "adjacent", "substance", "foreign"}

const nFeatures = 8

// calibration is the fitted model and the thresholds chosen from it.
type calibration struct {
	Features []string  `json:"features"`
	Weights  []float64 `json:"weights"`
	Bias     float64   `json:"bias"`
	// Answer is the confidence from which huiqi answers; Tentative the one
	// from which, below Answer, it names the likely measures.
	Answer    float64 `json:"answer"`
	Tentative float64 `json:"tentative"`
	Note      string  `json:"_note,omitempty"`
}

func parseCalibration(data []byte) (*calibration, error) {
	var c calibration
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("calibration.json: %w", err)
	}
	if len(c.Features) != nFeatures || len(c.Weights) != nFeatures {
		return nil, fmt.Errorf("calibration.json: %d features, %d weights; want %d", len(c.Features), len(c.Weights), nFeatures)
	}
	for i, f := range c.Features {
		if f != featureNames[i] {
			return nil, fmt.Errorf("calibration.json: feature %d is %q, want %q", i, f, featureNames[i])
		}
	}
	if !(0 < c.Tentative && c.Tentative <= c.Answer && c.Answer < 1) {
		return nil, fmt.Errorf("calibration.json: thresholds %v/%v are not 0 < tentative ≤ answer < 1", c.Tentative, c.Answer)
	}
	return &c, nil
}

var builtinCalibration = sync.OnceValues(func() (*calibration, error) { return parseCalibration(calibrationJSON) })

// features describes the best hit of a question for the model: how much of
// the question it covers by idf mass, whether a lexicon phrase named it, its
// score, its closeness to a typical question, how much of the question's
// content it explains, whether unexplained content touches one of its
// phrases (路由器白名单), how much content it explains at all (钱不够 is
// explained, but there is little to explain), and whether a word of
// another subject stands on its own beside it (随借随还 图书馆).
func (ix *index) features(hs []hit, qq *query) [nFeatures]float64 {
	var f [nFeatures]float64
	if len(hs) == 0 {
		return f
	}
	top := hs[0]
	concept := 0.0
	if s := qq.conceptHit[top.doc]; s > 0 {
		concept = math.Min(1, float64(s)/3)
	}
	e := ix.explain(qq, top.doc)
	f[0] = top.coverage
	f[1] = concept
	f[2] = math.Min(1, rawScore(top)/20)
	f[3] = top.qsim
	f[4] = e.ratio()
	if e.adjacent {
		f[5] = 1
	}
	f[6] = math.Min(1, e.substance/4)
	// a word of its own is strong evidence in a short question (随借随还
	// 图书馆), weaker in a long description of a problem
	if e.whole > 0 {
		f[7] = 0.5
		if e.content <= 8 {
			f[7] = 1
		}
	}
	return f
}

// score is the model's confidence for features f.
func (c *calibration) score(f [nFeatures]float64) float64 {
	z := c.Bias
	for i, w := range c.Weights {
		z += w * f[i]
	}
	return 1 / (1 + math.Exp(-z))
}
