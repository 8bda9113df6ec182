package flaghelp

import (
	"flag"
	"strings"
	"testing"
)

func TestPrint(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.String("store", "", "where state is kept: a `URL`")
	fs.Int("limit", 100, "at most this many")
	fs.Bool("v", false, "log debug messages")
	fs.Duration("every", 0, "time between lines, a long description that goes on and on past the width of one line of a terminal")
	var b strings.Builder
	Print(&b, fs)
	want := `  --every duration
      time between lines, a long description that goes on and on past the
      width of one line of a terminal
  --limit int
      at most this many (default 100)
  --store URL
      where state is kept: a URL
  -v
      log debug messages
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if Count(fs) != 4 {
		t.Errorf("Count = %d", Count(fs))
	}
	if got := Wrap("a bb ccc", 4, "> "); got != "> a bb\n> ccc" {
		t.Errorf("Wrap = %q", got)
	}
}
