package mdshell

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBlocks(t *testing.T) {
	text := "intro\n```sh runnable\nfleetd site check   # the default\nfleetd site route \\\n  a b\n```\n" +
		"```json\n{}\n```\n```sh\ncurl -d '{\"a\": 1,\n  \"b\": \"#2\"}' x\n```\n"
	bs := Blocks(text)
	if assert.Len(t, bs, 2) {
		assert.True(t, bs[0].Runnable())
		assert.False(t, bs[1].Runnable())
		assert.Equal(t, 2, bs[0].Line)
		assert.Equal(t, []string{"fleetd site check", "fleetd site route   a b"}, bs[0].Commands())
		assert.Equal(t, []string{"curl -d '{\"a\": 1,\n  \"b\": \"#2\"}' x"}, bs[1].Commands())
	}
	assert.Len(t, Commands(text), 3)
}
