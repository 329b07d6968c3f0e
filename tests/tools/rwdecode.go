// An independent reader of remote-write bodies for the tests: Go's snappy
// decoder (github.com/golang/snappy, Debian golang-github-golang-snappy-dev)
// and the protobuf wire reader of google.golang.org/protobuf (protowire).
//
//	rwdecode snappy FILE...   writes FILE.dec with each decoded body
//	rwdecode v1 FILE          prints the prometheus.WriteRequest as JSON
//	rwdecode v2 FILE          prints the io.prometheus.write.v2.Request as JSON
//
// Build offline: GOPATH=/usr/share/gocode GO111MODULE=off go build -o rwdecode rwdecode.go
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/golang/snappy"
	"google.golang.org/protobuf/encoding/protowire"
)

// A message as a map from field number to its values, decoded by a schema.
type obj = map[string]interface{}

// Field kinds: how each field number of a message is read.
type schema map[protowire.Number]field

type field struct {
	name string
	kind string // "string", "double", "uint", "int", "sint", "msg", "packed-uint", "packed-sint"
	sub  *schema
}

var (
	label     = schema{1: {"name", "string", nil}, 2: {"value", "string", nil}}
	sample    = schema{1: {"value", "double", nil}, 2: {"timestamp", "int", nil}}
	span      = schema{1: {"offset", "sint", nil}, 2: {"length", "uint", nil}}
	histogram = schema{
		1: {"count_int", "uint", nil}, 2: {"count_float", "double", nil}, 3: {"sum", "double", nil},
		4: {"schema", "sint", nil}, 5: {"zero_threshold", "double", nil},
		6: {"zero_count_int", "uint", nil}, 7: {"zero_count_float", "double", nil},
		8: {"negative_spans", "msg", &span}, 9: {"negative_deltas", "packed-sint", nil},
		11: {"positive_spans", "msg", &span}, 12: {"positive_deltas", "packed-sint", nil},
		14: {"reset_hint", "uint", nil}, 15: {"timestamp", "int", nil},
	}
	exemplarV1 = schema{1: {"labels", "msg", &label}, 2: {"value", "double", nil}, 3: {"timestamp", "int", nil}}
	seriesV1   = schema{
		1: {"labels", "msg", &label}, 2: {"samples", "msg", &sample},
		3: {"exemplars", "msg", &exemplarV1}, 4: {"histograms", "msg", &histogram},
	}
	metadataV1 = schema{
		1: {"type", "uint", nil}, 2: {"metric_family_name", "string", nil},
		4: {"help", "string", nil}, 5: {"unit", "string", nil},
	}
	requestV1  = schema{1: {"timeseries", "msg", &seriesV1}, 3: {"metadata", "msg", &metadataV1}}
	exemplarV2 = schema{1: {"labels_refs", "packed-uint", nil}, 2: {"value", "double", nil}, 3: {"timestamp", "int", nil}}
	metadataV2 = schema{1: {"type", "uint", nil}, 3: {"help_ref", "uint", nil}, 4: {"unit_ref", "uint", nil}}
	seriesV2   = schema{
		1: {"labels_refs", "packed-uint", nil}, 2: {"samples", "msg", &sample},
		3: {"histograms", "msg", &histogram}, 4: {"exemplars", "msg", &exemplarV2},
		5: {"metadata", "msg", &metadataV2}, 6: {"created_timestamp", "int", nil},
	}
	requestV2 = schema{4: {"symbols", "string", nil}, 5: {"timeseries", "msg", &seriesV2}}
)

// Every field is collected as a list (repeated or not), so the tests see duplicates.
func decode(b []byte, s schema) (obj, error) {
	out := obj{}
	add := func(name string, v interface{}) {
		list, _ := out[name].([]interface{})
		out[name] = append(list, v)
	}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		f, known := s[num]
		if !known {
			return nil, fmt.Errorf("unknown field %d (wire type %d)", num, typ)
		}
		switch f.kind {
		case "double":
			if typ != protowire.Fixed64Type {
				return nil, fmt.Errorf("field %s: wire type %d", f.name, typ)
			}
			v, n := protowire.ConsumeFixed64(b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			b = b[n:]
			fv := math.Float64frombits(v)
			switch {
			case math.IsNaN(fv):
				add(f.name, fmt.Sprintf("NaN:%016x", v))
			case math.IsInf(fv, 1):
				add(f.name, "+Inf")
			case math.IsInf(fv, -1):
				add(f.name, "-Inf")
			default:
				add(f.name, fv)
			}
		case "uint", "int", "sint":
			if typ != protowire.VarintType {
				return nil, fmt.Errorf("field %s: wire type %d", f.name, typ)
			}
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			b = b[n:]
			switch f.kind {
			case "uint":
				add(f.name, v)
			case "int":
				add(f.name, int64(v))
			default:
				add(f.name, protowire.DecodeZigZag(v))
			}
		default:
			if typ != protowire.BytesType {
				return nil, fmt.Errorf("field %s: wire type %d", f.name, typ)
			}
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			b = b[n:]
			switch f.kind {
			case "string":
				add(f.name, string(v))
			case "msg":
				m, err := decode(v, *f.sub)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", f.name, err)
				}
				add(f.name, m)
			default: // packed varints
				list := []interface{}{}
				for len(v) > 0 {
					x, n := protowire.ConsumeVarint(v)
					if n < 0 {
						return nil, protowire.ParseError(n)
					}
					v = v[n:]
					if f.kind == "packed-sint" {
						list = append(list, protowire.DecodeZigZag(x))
					} else {
						list = append(list, x)
					}
				}
				out[f.name] = list
			}
		}
	}
	return out, nil
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", a...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 3 {
		fail("usage: rwdecode snappy|v1|v2 FILE...")
	}
	for _, path := range os.Args[2:] {
		raw, err := os.ReadFile(path)
		if err != nil {
			fail("%s: %v", path, err)
		}
		body, err := snappy.Decode(nil, raw)
		if err != nil {
			fail("%s: snappy: %v", path, err)
		}
		if os.Args[1] == "snappy" {
			if err := os.WriteFile(path+".dec", body, 0o644); err != nil {
				fail("%s: %v", path, err)
			}
			continue
		}
		s := requestV1
		if os.Args[1] == "v2" {
			s = requestV2
		}
		m, err := decode(body, s)
		if err != nil {
			fail("%s: protobuf: %v", path, err)
		}
		if err := json.NewEncoder(os.Stdout).Encode(m); err != nil {
			fail("%v", err)
		}
	}
}
