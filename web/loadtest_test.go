package web

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"huiqi/knowledge"
)

var (
	load        = flag.Bool("load", false, "run the full load test against /api/ask (else a short smoke run)")
	loadFor     = flag.Duration("load-for", 10*time.Second, "how long the full load test runs")
	loadWorkers = flag.Int("load-workers", 32, "concurrent clients of the load test")
	loadURL     = flag.String("load-url", "", "with -load: a running huiqi serve (e.g. http://127.0.0.1:8080, started with --rate -1) instead of an in-process server")
)

var loadQuestions = []string{
	"小升规有什么奖励", "招工难有没有补贴", "专精特新小巨人奖励多少", "贷款贴息怎么申请", "本地配套率提高有奖励吗",
	"研发机构奖励", "营业收入突破1亿元奖励", "首批次新材料保险补贴", "担保费率是多少", "明天天气怎么样",
}

// loadResult is what one load run measured.
type loadResult struct {
	n, errors      int
	dur            time.Duration
	p50, p99, pmax time.Duration
}

// runLoad posts questions to /api/ask from workers clients until stop
// returns true, and measures every request's latency.
func runLoad(t testing.TB, url string, workers int, stop func(n int64) bool) loadResult {
	t.Helper()
	tr := &http.Transport{MaxIdleConns: workers, MaxIdleConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	bodies := make([][]byte, len(loadQuestions))
	for i, q := range loadQuestions {
		bodies[i], _ = json.Marshal(askRequest{Question: q, Top: 3})
	}
	var count, errs atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := w; ; i++ {
				n := count.Add(1)
				if stop(n) {
					break
				}
				t0 := time.Now()
				resp, err := client.Post(url+"/api/ask", "application/json", bytes.NewReader(bodies[i%len(bodies)]))
				if err != nil {
					errs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r := loadResult{n: len(lat), errors: int(errs.Load()), dur: time.Since(start)}
	if len(lat) > 0 {
		slices.Sort(lat)
		r.p50 = lat[len(lat)/2]
		r.p99 = lat[min(len(lat)-1, len(lat)*99/100)]
		r.pmax = lat[len(lat)-1]
	}
	return r
}

// TestLoadAsk runs a Go load generator against /api/ask on 127.0.0.1 with the
// real knowledge base. By default a short run (400 requests) checks that
// every answer is a 200; `go test ./web -run TestLoadAsk -load -v` runs the
// full measurement (see -load-for, -load-workers) and logs requests/s and p99.
func TestLoadAsk(t *testing.T) {
	kb, err := knowledge.Builtin()
	if err != nil {
		t.Fatalf("knowledge.Builtin() = %v", err)
	}
	te := newTestEnv(t, func(c *Config) { c.Knowledge = kb; c.RatePerSecond = -1 })
	ts := httptest.NewServer(te.srv.Handler())
	defer ts.Close()
	workers := 8
	stop := func(n int64) bool { return n > 400 }
	if *load {
		workers = *loadWorkers
		deadline := time.Now().Add(*loadFor)
		stop = func(int64) bool { return time.Now().After(deadline) }
	}
	target := ts.URL
	if *load && *loadURL != "" {
		target = *loadURL
	}
	r := runLoad(t, target, workers, stop)
	if r.errors > 0 {
		t.Errorf("%d of %d requests failed", r.errors, r.n)
	}
	t.Logf("POST %s/api/ask: %d requests, %d workers, %.1fs: %.0f req/s, p50 %v, p99 %v, max %v",
		target, r.n, workers, r.dur.Seconds(), float64(r.n)/r.dur.Seconds(), r.p50.Round(10*time.Microsecond),
		r.p99.Round(10*time.Microsecond), r.pmax.Round(10*time.Microsecond))
	te.srv.Flush(context.Background())
}

// BenchmarkAskHTTP is one /api/ask round trip over 127.0.0.1 with the real
// knowledge base, requests in parallel.
func BenchmarkAskHTTP(b *testing.B) {
	kb, err := knowledge.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	te := newTestEnv(b, func(c *Config) { c.Knowledge = kb; c.RatePerSecond = -1 })
	ts := httptest.NewServer(te.srv.Handler())
	defer ts.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	body, _ := json.Marshal(askRequest{Question: "小升规有什么奖励", Top: 3})
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(ts.URL+"/api/ask", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
