package web

import (
	"slices"
	"sort"
	"strconv"

	"huiqi/intake"
)

// chart is a horizontal stacked bar chart laid out in Go, so the template
// only prints rectangles (inline SVG, no script).
type chart struct {
	Width, Height int
	LabelW        int
	LabelX        int
	Rows          []chartRow
	Legend        []legendItem
	Empty         bool
}

type chartRow struct {
	Label  string
	Y, TY  int
	Total  int
	TotalX int
	Segs   []chartSeg
}

type chartSeg struct {
	X, Y  int
	W, H  int
	Color string
	Title string
	// N is printed inside the segment when it is wide enough (LX, LY).
	N      int
	LX, LY int
	Show   bool
}

type legendItem struct {
	Label, Color string
	X, TX        int
}

// statusOrder is the ticket life in intake's order; unknown statuses follow it.
func statusOrder() []string {
	var out []string
	for _, s := range intake.Statuses() {
		out = append(out, string(s))
	}
	return out
}

var palette = []string{"#9aa5b1", "#3b82c4", "#2bb3a3", "#d9822b", "#f2c14e", "#4caf7d", "#2e7d4f", "#8e6bbf", "#c0504d"}

const (
	barH   = 22
	barGap = 10
	chartW = 760
)

// stackedChart lays out one bar per row, one segment per series.
func stackedChart(rows, series, colors []string, value func(row, series string) int, rowLabel func(string) string) chart {
	c := chart{Width: chartW, LabelW: 190, LabelX: 182}
	maxTotal := 0
	for _, r := range rows {
		t := 0
		for _, s := range series {
			t += value(r, s)
		}
		maxTotal = max(maxTotal, t)
	}
	if maxTotal == 0 {
		c.Empty = true
	}
	barArea := chartW - c.LabelW - 60
	y := 30
	for _, r := range rows {
		row := chartRow{Label: rowLabel(r), Y: y, TY: y + barH/2 + 5}
		x := c.LabelW
		for i, s := range series {
			n := value(r, s)
			if n == 0 {
				continue
			}
			w := 0
			if maxTotal > 0 {
				w = max(n*barArea/maxTotal, 3)
			}
			row.Segs = append(row.Segs, chartSeg{X: x, Y: y, W: w, H: barH, Color: colors[i%len(colors)], Title: s + " " + strconv.Itoa(n),
				N: n, LX: x + w/2, LY: y + barH/2 + 5, Show: w >= 8*len(strconv.Itoa(n))+8})
			x += w
			row.Total += n
		}
		row.TotalX = x + 6
		c.Rows = append(c.Rows, row)
		y += barH + barGap
	}
	lx := c.LabelW
	for i, s := range series {
		c.Legend = append(c.Legend, legendItem{Label: s, Color: colors[i%len(colors)], X: lx, TX: lx + 20})
		lx += 24 + 14*len([]rune(s)) + 16
	}
	c.Height = y + 4
	return c
}

// ticketChart is tickets per unit, stacked by status, busiest unit first.
func ticketChart(st Stats) chart {
	statuses := map[string]bool{}
	totals := map[string]int{}
	var units []string
	for u, byStatus := range st.ByUnit {
		units = append(units, u)
		for s, n := range byStatus {
			statuses[s] = true
			totals[u] += n
		}
	}
	sort.Slice(units, func(i, j int) bool {
		if totals[units[i]] != totals[units[j]] {
			return totals[units[i]] > totals[units[j]]
		}
		return units[i] < units[j]
	})
	order := statusOrder()
	var series []string
	for _, s := range order {
		if statuses[s] {
			series = append(series, s)
		}
	}
	var extra []string
	for s := range statuses {
		if !slices.Contains(order, s) {
			extra = append(extra, s)
		}
	}
	sort.Strings(extra)
	series = append(series, extra...)
	var colors []string
	for _, s := range series {
		i := slices.Index(order, s)
		if i < 0 {
			i = len(order) + slices.Index(extra, s)
		}
		colors = append(colors, palette[i%len(palette)])
	}
	return stackedChart(units, series, colors, func(u, s string) int { return st.ByUnit[u][s] }, func(u string) string { return u })
}

// askChart is one bar: questions answered and not answered.
func askChart(st Stats) chart {
	return stackedChart([]string{"问答"}, []string{"已回答", "未能回答"}, []string{"#4caf7d", "#d9822b"}, func(_, s string) int {
		if s == "已回答" {
			return st.Answered
		}
		return st.Unanswered
	}, func(string) string { return "企业提问" })
}
