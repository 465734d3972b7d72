package bot

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/peterh/liner"
	"golang.org/x/term"

	"huiqi/knowledge"
)

// banner heads the terminal chat: 惠企助手 · 阳泉市城区惠企政策（城政办发〔2023〕5号）.
func banner(s knowledge.Scope) string {
	b := "惠企助手 · " + s.Place + "惠企政策"
	if d := s.Docs(); d != "" {
		b += "（" + d + "）"
	}
	return b
}

// lineSource is where the terminal's lines come from: a line editor on a
// TTY, plain lines from a pipe or a file.
type lineSource interface {
	// prompt shows that a line is awaited (the editor draws its own).
	prompt(w *bufio.Writer)
	next(ctx context.Context) (line string, ok bool, err error)
	close()
}

// RunTerminal chats with one user over a reader and a writer: a prompt,
// replies as paragraphs, choices numbered (typing the number picks one).
// On a terminal (both in and out are TTYs) lines are edited with the arrow
// keys and history (liner, which counts a Chinese character as two columns
// wide), and a long paste arrives whole, for the engine to refuse with its
// message; from a pipe lines are read as they come. It returns nil at end
// of input, on Ctrl-C or Ctrl-D, or when the user types 退出.
func RunTerminal(ctx context.Context, e *Engine, in io.Reader, out io.Writer, key Key) error {
	var sc lineSource = newLineReader(in)
	if isTTY(in) && isTTY(out) {
		sc = newEditor()
	}
	defer sc.close()
	w := bufio.NewWriter(out)
	defer w.Flush()

	fmt.Fprintln(w, banner(e.d.Knowledge.Scope()))
	fmt.Fprintln(w, "输入问题后回车；输入选项前的数字可直接选择；输入“退出”结束。")
	e.showNotifications(ctx, w, key) // notify.go

	var choices []Choice // what a typed number picks
	send := func(input Input) error {
		replies, err := e.Handle(ctx, key, input)
		if len(replies) == 0 && err != nil {
			replies = []Reply{{Text: msgInternal}}
		}
		choices = nil
		for _, r := range replies {
			renderReply(w, r)
			if len(r.Choices) > 0 && !r.NumberAnswer {
				choices = r.Choices
			}
		}
		// A form is not drawn: the engine asks its fields one by one in
		// the reply's text, checking each as it is typed.
		return nil
	}
	if err := send(Input{Action: ActionStart}); err != nil {
		return quiet(err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		sc.prompt(w)
		w.Flush()
		line, ok, err := sc.next(ctx)
		if !ok {
			fmt.Fprintln(w, "\n再见！")
			return err
		}
		line = strings.TrimSpace(line)
		switch strings.ToLower(line) {
		case "退出", "quit", "exit", "/quit", "/exit":
			fmt.Fprintln(w, "再见！")
			return nil
		}
		input := Input{Text: line}
		if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(choices) {
			input = Input{Action: choices[n-1].ID}
		}
		if err := send(input); err != nil {
			return quiet(err)
		}
	}
}

// errEndOfInput ends the chat when input ends.
var errEndOfInput = errors.New("end of input")

func quiet(err error) error {
	if errors.Is(err, errEndOfInput) {
		return nil
	}
	return err
}

func isTTY(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// editor reads lines from the terminal with liner: cursor keys, history
// (up and down), Ctrl-R search, and widths of wide characters, so that no
// escape code reaches the engine as text (^[[A) and the terminal's own
// line limit (4096 bytes, ~1,365 Chinese characters) does not cut a paste.
type editor struct {
	l    *liner.State
	done bool
}

func newEditor() *editor {
	l := liner.NewLiner()
	l.SetCtrlCAborts(true)
	return &editor{l: l}
}

func (ed *editor) prompt(w *bufio.Writer) { fmt.Fprintln(w) }

func (ed *editor) close() { ed.l.Close() }

func (ed *editor) next(ctx context.Context) (string, bool, error) {
	if ed.done {
		return "", false, nil
	}
	type res struct {
		line string
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		line, err := ed.l.Prompt("> ")
		ch <- res{line, err}
	}()
	select {
	case <-ctx.Done():
		ed.done = true
		return "", false, nil
	case r := <-ch:
		switch {
		case errors.Is(r.err, liner.ErrPromptAborted), errors.Is(r.err, io.EOF):
			ed.done = true
			return "", false, nil
		case r.err != nil:
			ed.done = true
			return "", false, fmt.Errorf("terminal: read input: %w", r.err)
		}
		if strings.TrimSpace(r.line) != "" {
			ed.l.AppendHistory(r.line)
		}
		return r.line, true, nil
	}
}

// lineReader reads a line only when asked, in a goroutine, so that a
// cancelled context (Ctrl-C) ends the chat even while input blocks, and
// nothing is read ahead of the prompt.
type lineReader struct {
	br   *bufio.Reader
	req  chan struct{}
	res  chan lineResult
	done bool
}

type lineResult struct {
	line string
	ok   bool
	err  error
}

func newLineReader(in io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(in, 64*1024)}
}

func (r *lineReader) prompt(w *bufio.Writer) { fmt.Fprint(w, "\n> ") }

func (r *lineReader) close() {}

// maxLine is how much of one input line the terminal keeps. A longer line
// (a pasted file) is cut here and the rest skipped rather than ending the
// chat; the engine then answers that the message is too long.
const maxLine = 64 * 1024

// readLine reads one line without its end of line. ok is false at end of
// input with nothing read.
func readLine(br *bufio.Reader) (line string, ok bool, err error) {
	var b []byte
	read := false
	for {
		chunk, err := br.ReadSlice('\n')
		read = read || len(chunk) > 0
		if room := maxLine - len(b); room > 0 {
			b = append(b, chunk[:min(len(chunk), room)]...)
		}
		switch {
		case err == nil:
			return strings.TrimRight(string(b), "\r\n"), true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return strings.TrimRight(string(b), "\r\n"), read, nil
		default:
			return "", false, err
		}
	}
}

// next returns the next line; ok is false at end of input, on a read
// error (err) or when ctx ends.
func (r *lineReader) next(ctx context.Context) (line string, ok bool, err error) {
	if r.done {
		return "", false, nil
	}
	if r.req == nil {
		r.req, r.res = make(chan struct{}), make(chan lineResult, 1)
		go func() {
			for range r.req {
				line, ok, err := readLine(r.br)
				res := lineResult{line: line, ok: ok}
				if err != nil {
					res.err = fmt.Errorf("terminal: read input: %w", err)
				}
				r.res <- res
				if !ok {
					return
				}
			}
		}()
	}
	select {
	case r.req <- struct{}{}:
	case <-ctx.Done():
		r.done = true
		return "", false, nil
	}
	select {
	case res := <-r.res:
		if !res.ok {
			r.done = true
		}
		return res.line, res.ok, res.err
	case <-ctx.Done():
		r.done = true
		return "", false, nil
	}
}

// renderReply writes one reply as plain text.
func renderReply(w io.Writer, r Reply) {
	fmt.Fprintln(w)
	if r.Text != "" {
		fmt.Fprintln(w, r.Text)
	}
	if c := r.Card; c != nil {
		if c.Title != "" {
			fmt.Fprintf(w, "【%s】\n", c.Title)
		}
		if c.Body != "" {
			fmt.Fprintln(w, c.Body)
		}
		for _, f := range c.Fields {
			fmt.Fprintf(w, "  %s：%s\n", f.Name, f.Value)
		}
		if c.Footer != "" {
			fmt.Fprintln(w, c.Footer)
		}
	}
	for i, c := range r.Choices {
		if r.NumberAnswer {
			// A typed number is the answer here: choices are typed by name.
			fmt.Fprintf(w, "  · %s\n", c.Label)
			continue
		}
		fmt.Fprintf(w, "  %d. %s\n", i+1, c.Label)
	}
}
