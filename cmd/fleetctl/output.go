package main

import (
	"bytes"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// checkOutput checks -o against --json.
func checkOutput(output string, asJSON bool) error {
	switch output {
	case "table", "wide", "json", "yaml":
	default:
		return fmt.Errorf("-o %q: want table, wide, json or yaml", output)
	}
	if asJSON && output != "table" && output != "json" {
		return fmt.Errorf("--json and -o %s: give one or the other", output)
	}
	return nil
}

// asYAML runs print, which writes JSON, and writes that as YAML to w:
// the same keys in the same order, in YAML's block style.
func asYAML(w io.Writer, print func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := print(&buf); err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(buf.Bytes(), &doc); err != nil { // JSON is YAML
		return fmt.Errorf("fleetctl: the answer as YAML: %w", err)
	}
	block(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return enc.Close()
}

// block turns a node and all below it from JSON's flow style into YAML's
// block style, and its strings from JSON's quotes into YAML's plain (the
// encoder quotes what must be).
func block(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		block(c)
	}
}
