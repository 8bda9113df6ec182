package audit

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// testKey is a fixed signing key, so that export files are reproducible.
func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// sharing is the rule over two countries: kz-gate is KZ's, cn-gate CN's,
// every move passes both but m-mn, which passes MN only.
var sharing = Sharing{
	CheckpointCountry: func(cp string) string { return map[string]string{"kz-gate": "KZ", "cn-gate": "CN"}[cp] },
	MoveCountries: func(m string) []string {
		if m == "m-mn" {
			return []string{"MN"}
		}
		return []string{"KZ", "CN"}
	},
}

// custodyLog is a small log: entries at KZ's and CN's gates, without a
// checkpoint, and of a move elsewhere.
func custodyLog() []Entry {
	var out []Entry
	var prev *Entry
	for i, x := range []struct{ move, event, cp string }{
		{"m-7", "created", ""}, {"m-7", "at_gate", "kz-gate"}, {"m-7", "customs_release", "kz-gate"},
		{"m-mn", "created", ""}, {"m-7", "at_gate", "cn-gate"}, {"m-7", EventSealAlert, "cn-gate"}, {"m-7", "delivered", ""},
	} {
		e := sample()
		e.Move, e.Event, e.Checkpoint = x.move, x.event, x.cp
		e.At = at.Add(time.Duration(i) * time.Minute)
		out = append(out, Chain(prev, e))
		prev = &out[len(out)-1]
	}
	return out
}

// export writes the KZ export of custodyLog.
func export(t *testing.T, key ed25519.PrivateKey) []byte {
	t.Helper()
	var buf bytes.Buffer
	spec := ExportSpec{Country: "KZ", At: at.Add(time.Hour), Key: key,
		Visible: func(e Entry) bool { return sharing.Visible(e, "KZ") }}
	if _, err := WriteExport(&buf, spec, custodyLog()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExportVerifies(t *testing.T) {
	key := testKey(1)
	data := export(t, key)
	x, err := VerifyExport(data, key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatalf("VerifyExport of a fresh export: %v\n%s", err, data)
	}
	h := x.Header
	if h.Country != "KZ" || h.HeadSeq != 7 || h.HeadHash != custodyLog()[6].Hash || h.Shown != 5 || h.Withheld != 2 ||
		!h.ExportedAt.Equal(at.Add(time.Hour)) || h.KeyID != KeyID(key.Public().(ed25519.PublicKey)) {
		t.Errorf("header %+v", h)
	}
	var seqs []uint64
	for _, e := range x.Shown {
		seqs = append(seqs, e.Seq)
		if e != custodyLog()[e.Seq-1] {
			t.Errorf("entry %d came back as %+v", e.Seq, e)
		}
	}
	// KZ sees the move's entries without a checkpoint, its own gate's, and
	// CN's seal alert; not CN's gate, not a move elsewhere.
	if fmt.Sprint(seqs) != "[1 2 3 6 7]" {
		t.Errorf("shown %v, want [1 2 3 6 7]", seqs)
	}
	var stubs []uint64
	for _, s := range x.Withheld {
		stubs = append(stubs, s.Seq)
		if e := custodyLog()[s.Seq-1]; s.Hash != e.Hash || s.Prev != e.Prev {
			t.Errorf("stub %+v", s)
		}
	}
	if fmt.Sprint(stubs) != "[4 5]" {
		t.Errorf("withheld %v, want [4 5]", stubs)
	}
	// Nothing of the withheld entries but their seq, prev and hash.
	if strings.Contains(string(data), "m-mn") || strings.Count(string(data), "cn-gate") != 1 {
		t.Errorf("the KZ export shows what it withholds:\n%s", data)
	}
}

func TestExportSealAlertShared(t *testing.T) {
	key := testKey(1)
	x, err := VerifyExport(export(t, key), key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Shown) != 5 || x.Shown[3].Event != EventSealAlert {
		t.Errorf("KZ should see CN's seal alert: %+v", x.Shown)
	}
}

// TestExportEveryByte changes each byte of an export in turn (one bit of
// it, a different one from byte to byte) and wants each changed file
// refused.
func TestExportEveryByte(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	data := export(t, key)
	for i := range data {
		for _, bit := range []byte{1 << (i % 8), 1 << ((i + 5) % 8)} {
			changed := bytes.Clone(data)
			changed[i] ^= bit
			if _, err := VerifyExport(changed, pub); !errors.Is(err, ErrExport) {
				t.Fatalf("byte %d (%q) with bit %#x flipped: VerifyExport = %v, want ErrExport", i, data[i], bit, err)
			}
		}
	}
}

func TestExportTruncated(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	data := export(t, key)
	for n := range len(data) {
		if _, err := VerifyExport(data[:n], pub); !errors.Is(err, ErrExport) {
			t.Fatalf("the first %d of %d bytes: VerifyExport = %v, want ErrExport", n, len(data), err)
		}
	}
	if _, err := VerifyExport(append(bytes.Clone(data), data...), pub); !errors.Is(err, ErrExport) {
		t.Errorf("an export twice over: VerifyExport = %v", err)
	}
	if _, err := VerifyExport(append(bytes.Clone(data), "\n"...), pub); !errors.Is(err, ErrExport) {
		t.Errorf("an empty line after the signature: VerifyExport = %v", err)
	}
}

func TestExportWrongKey(t *testing.T) {
	data := export(t, testKey(1))
	_, err := VerifyExport(data, testKey(2).Public().(ed25519.PublicKey))
	var xe *ExportError
	if !errors.As(err, &xe) || xe.Line != 1 || !strings.Contains(err.Error(), "key") {
		t.Fatalf("VerifyExport with another key = %v", err)
	}
	if _, err := VerifyExport(data, nil); !errors.Is(err, ErrExport) {
		t.Errorf("VerifyExport without a key = %v", err)
	}
}

// lines splits an export into its lines, without newlines.
func lines(data []byte) [][]byte {
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

// join makes lines a file again.
func join(ls [][]byte) []byte {
	return append(bytes.Join(ls, []byte("\n")), '\n')
}

// resign replaces an export's signature by key's over its lines.
func resign(data []byte, key ed25519.PrivateKey) []byte {
	ls := lines(data)
	body := join(ls[:len(ls)-1])
	return append(body, append(signatureLine(ed25519.Sign(key, body)), '\n')...)
}

func TestExportShownWithheldSwapped(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	full := custodyLog()
	// Entry 5 (CN's gate) is withheld from KZ: put it in in full, as it
	// might come from CN's export. Its hash is right, so the chain holds:
	// the header's counts tell, and with those changed too, the signature.
	ls := lines(export(t, key))
	if !bytes.HasPrefix(ls[5], []byte(`{"withheld":{"seq":5,`)) {
		t.Fatalf("line 6 is %s", ls[5])
	}
	shown, _ := entryLine(full[4])
	ls[5] = shown
	_, err := VerifyExport(join(ls), pub)
	if !errors.Is(err, ErrExport) || !strings.Contains(err.Error(), "withheld") {
		t.Fatalf("withheld entry shown: VerifyExport = %v", err)
	}
	ls[0] = bytes.Replace(ls[0], []byte(`"shown":5,"withheld":2`), []byte(`"shown":6,"withheld":1`), 1)
	_, err = VerifyExport(join(ls), pub)
	var xe *ExportError
	if !errors.As(err, &xe) || xe.Line != 9 || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("withheld entry shown, counts changed: VerifyExport = %v", err)
	}
	// The other way round: a shown entry replaced by its stub.
	ls = lines(export(t, key))
	stub, _ := stubLine(Stub{Seq: 2, Prev: full[1].Prev, Hash: full[1].Hash})
	ls[2] = stub
	if _, err := VerifyExport(join(ls), pub); !errors.Is(err, ErrExport) {
		t.Fatalf("shown entry withheld: VerifyExport = %v", err)
	}
}

// TestExportChainChecks changes an export and signs it again with the
// right key: the chain checks alone find each change, and say where.
func TestExportChainChecks(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	tests := []struct {
		name   string
		change func([][]byte) [][]byte
		line   int
		want   string
	}{
		{"content changed", func(ls [][]byte) [][]byte {
			ls[1] = bytes.Replace(ls[1], []byte(`"created"`), []byte(`"refused"`), 1)
			return ls
		}, 2, "hash"},
		{"stub hash changed", func(ls [][]byte) [][]byte {
			i := bytes.Index(ls[4], []byte(`"hash":"`)) + len(`"hash":"`)
			if ls[4][i] == '0' {
				ls[4][i] = '1'
			} else {
				ls[4][i] = '0'
			}
			return ls
		}, 6, "prev"},
		{"entry removed", func(ls [][]byte) [][]byte { return append(ls[:3:3], ls[4:]...) }, 4, "seq"},
		{"entries swapped", func(ls [][]byte) [][]byte { ls[2], ls[3] = ls[3], ls[2]; return ls }, 3, "seq"},
		{"last entry removed", func(ls [][]byte) [][]byte { return append(ls[:7:7], ls[8]) }, 1, "head"},
		{"header counts", func(ls [][]byte) [][]byte {
			ls[0] = bytes.Replace(ls[0], []byte(`"shown":5`), []byte(`"shown":6`), 1)
			return ls
		}, 1, "shown"},
		{"header country", func(ls [][]byte) [][]byte {
			ls[0] = bytes.Replace(ls[0], []byte(`"country":"KZ"`), []byte(`"country":"kz"`), 1)
			return ls
		}, 1, "country"},
		{"spaces", func(ls [][]byte) [][]byte {
			ls[2] = bytes.Replace(ls[2], []byte(`"seq":2`), []byte(`"seq": 2`), 1)
			return ls
		}, 3, "as an export writes"},
		{"key case", func(ls [][]byte) [][]byte {
			ls[0] = bytes.Replace(ls[0], []byte(`"shown"`), []byte(`"Shown"`), 1)
			return ls
		}, 1, "as an export writes"},
		{"unknown line", func(ls [][]byte) [][]byte { ls[3] = []byte(`{"note":"hello"}`); return ls }, 4, "entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := export(t, key)
			changed := resign(join(tt.change(lines(data))), key)
			if bytes.Equal(changed, data) {
				t.Fatal("the test does not change the export")
			}
			_, err := VerifyExport(changed, pub)
			var xe *ExportError
			if !errors.As(err, &xe) {
				t.Fatalf("VerifyExport = %v, want an *ExportError", err)
			}
			if xe.Line != tt.line || !strings.Contains(xe.Reason, tt.want) {
				t.Errorf("VerifyExport = %v, want line %d and %q", err, tt.line, tt.want)
			}
			if !strings.HasPrefix(err.Error(), fmt.Sprintf("audit: export invalid at line %d", tt.line)) {
				t.Errorf("error %q does not name the line", err)
			}
		})
	}
}

func TestExportEmptyLog(t *testing.T) {
	key := testKey(1)
	var buf bytes.Buffer
	h, err := WriteExport(&buf, ExportSpec{Country: "CN", At: at, Key: key, Visible: func(Entry) bool { return true }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := VerifyExport(buf.Bytes(), key.Public().(ed25519.PublicKey))
	if err != nil || x.Header != h || h.HeadSeq != 0 || h.HeadHash != "" {
		t.Fatalf("empty export: %+v, %v\n%s", x, err, buf.Bytes())
	}
}

func TestWriteExportRefuses(t *testing.T) {
	log := custodyLog()
	log[2].Detail = "forged"
	spec := ExportSpec{Country: "KZ", At: at, Key: testKey(1), Visible: func(Entry) bool { return true }}
	if _, err := WriteExport(&bytes.Buffer{}, spec, log); !errors.Is(err, ErrBroken) {
		t.Errorf("export of a broken log = %v, want ErrBroken", err)
	}
	spec.Country = "kz"
	if _, err := WriteExport(&bytes.Buffer{}, spec, custodyLog()); err == nil {
		t.Error("export for country kz made")
	}
	spec.Country, spec.Key = "KZ", nil
	if _, err := WriteExport(&bytes.Buffer{}, spec, custodyLog()); err == nil {
		t.Error("export without a key made")
	}
}

// FuzzVerifyExport: whatever the input, VerifyExport does not panic, and
// it accepts nothing but the exports the key signed.
func FuzzVerifyExport(f *testing.F) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	var good [][]byte
	for _, country := range []string{"KZ", "CN", "MN"} {
		var buf bytes.Buffer
		spec := ExportSpec{Country: country, At: at, Key: key, Visible: func(e Entry) bool { return sharing.Visible(e, country) }}
		if _, err := WriteExport(&buf, spec, custodyLog()); err != nil {
			f.Fatal(err)
		}
		good = append(good, buf.Bytes())
		f.Add(buf.Bytes())
	}
	id := KeyID(pub)
	f.Fuzz(func(t *testing.T, data []byte) {
		// Ed25519 is slow under the fuzzer's instrumentation: only what
		// passes every other check goes on to the signature.
		_, _, _, err := readExport(data, id)
		if err == nil {
			_, err = VerifyExport(data, pub)
		}
		if err != nil {
			if !errors.Is(err, ErrExport) {
				t.Fatalf("error %v is not ErrExport", err)
			}
			return
		}
		for _, g := range good {
			if bytes.Equal(g, data) {
				return
			}
		}
		t.Fatalf("VerifyExport accepted a file the key never signed:\n%s", data)
	})
}

func TestKeys(t *testing.T) {
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	pub := key.Public().(ed25519.PublicKey)
	pemKey, err := MarshalPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKey(pemKey)
	if err != nil || !back.Equal(key) {
		t.Fatalf("ParsePrivateKey(MarshalPrivateKey) = %v", err)
	}
	pemPub, err := MarshalPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range [][]byte{pemPub, []byte(EncodePublicKey(pub)), []byte(" " + EncodePublicKey(pub) + "\n")} {
		got, err := ParsePublicKey(in)
		if err != nil || !got.Equal(pub) {
			t.Errorf("ParsePublicKey(%q) = %v", in, err)
		}
	}
	if id := KeyID(pub); len(id) != 16 || !isHashPrefix(id) {
		t.Errorf("KeyID = %q", id)
	}
	for _, bad := range []string{"", "abc", EncodePublicKey(pub)[:40], string(pemKey), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := ParsePublicKey([]byte(bad)); !errors.Is(err, ErrKey) {
			t.Errorf("ParsePublicKey(%q) = %v, want ErrKey", bad, err)
		}
	}
	for _, bad := range []string{"", "not pem", string(pemPub)} {
		if _, err := ParsePrivateKey([]byte(bad)); !errors.Is(err, ErrKey) {
			t.Errorf("ParsePrivateKey(%q) = %v, want ErrKey", bad, err)
		}
	}
}

func isHashPrefix(s string) bool { return isHash(s + strings.Repeat("0", 64-len(s))) }
