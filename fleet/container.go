package fleet

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadContainer is matched by every container-number error.
var ErrBadContainer = errors.New("fleet: bad container number")

// Container is an ISO 6346 container number such as "MSCU1234566": a
// three-letter owner code, a category letter (U freight, J detachable
// equipment, Z trailer or chassis), six serial digits and a check digit.
type Container string

// ParseContainer normalises a container number (upper case, spaces and
// dashes removed) and verifies its format and check digit.
func ParseContainer(s string) (Container, error) {
	n := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	if len(n) != 11 {
		return "", fmt.Errorf("%w %q: want 11 characters (owner code, category, 6 digits, check digit), got %d", ErrBadContainer, s, len(n))
	}
	for i := 0; i < 3; i++ {
		if n[i] < 'A' || n[i] > 'Z' {
			return "", fmt.Errorf("%w %q: the owner code (first 3 characters) must be letters", ErrBadContainer, s)
		}
	}
	if !strings.ContainsRune("UJZ", rune(n[3])) {
		return "", fmt.Errorf("%w %q: the category letter (4th character) must be U, J or Z, not %q", ErrBadContainer, s, n[3])
	}
	for i := 4; i < 11; i++ {
		if n[i] < '0' || n[i] > '9' {
			return "", fmt.Errorf("%w %q: characters 5 to 11 must be digits", ErrBadContainer, s)
		}
	}
	if want := CheckDigit(n[:10]); int(n[10]-'0') != want {
		return "", fmt.Errorf("%w %q: the check digit is %c, but %s gives %d", ErrBadContainer, s, n[10], n[:10], want)
	}
	return Container(n), nil
}

// CheckDigit computes the ISO 6346 check digit of the first ten characters
// of a container number. Letters count 10 to 38, skipping multiples of 11;
// each character is weighted by 2 to the power of its position; the sum
// modulo 11, modulo 10, is the digit.
func CheckDigit(first10 string) int {
	sum := 0
	for i := 0; i < len(first10) && i < 10; i++ {
		sum += charValue(first10[i]) << i
	}
	return sum % 11 % 10
}

// charValue is a character's ISO 6346 value: digits as themselves,
// letters from A=10 upwards, skipping 11, 22 and 33.
func charValue(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	v := 10
	for l := byte('A'); l < c && l < 'Z'; l++ {
		if v++; v%11 == 0 {
			v++
		}
	}
	return v
}
