// Reads a delimited protobuf exposition body (gzip or not) from stdin with
// Prometheus' own decoder (github.com/prometheus/common/expfmt) and prints
// every MetricFamily as JSON (jsonpb), one array. Debian's client_model
// predates created_timestamp: it is read from the unknown bytes with
// protowire and printed as "created" (epoch seconds) per metric.
//
// Build offline against Debian's sources:
//   GOPATH=/usr/share/gocode GO111MODULE=off go build -o decode_protobuf decode_protobuf.go
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/golang/protobuf/jsonpb"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/encoding/protowire"
)

type out struct {
	Family  json.RawMessage `json:"family"`
	Created []*float64      `json:"created"`
}

// createdIn finds a google.protobuf.Timestamp at `field` among unknown bytes.
func createdIn(b []byte, field protowire.Number) (*float64, error) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		if num == field && typ == protowire.BytesType {
			msg, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
			var secs, nanos int64
			for len(msg) > 0 {
				f, t, k := protowire.ConsumeTag(msg)
				if k < 0 || t != protowire.VarintType {
					return nil, fmt.Errorf("bad timestamp")
				}
				msg = msg[k:]
				v, k := protowire.ConsumeVarint(msg)
				if k < 0 {
					return nil, protowire.ParseError(k)
				}
				msg = msg[k:]
				if f == 1 {
					secs = int64(v)
				} else if f == 2 {
					nanos = int64(v)
				}
			}
			s := float64(secs) + float64(nanos)/1e9
			return &s, nil
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
	}
	return nil, nil
}

func main() {
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	if len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			fail(err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			fail(err)
		}
	}
	dec := expfmt.NewDecoder(bytes.NewReader(raw), expfmt.FmtProtoDelim)
	var all []out
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err == io.EOF {
			break
		} else if err != nil {
			fail(err)
		}
		j, err := (&jsonpb.Marshaler{}).MarshalToString(&mf)
		if err != nil {
			fail(err)
		}
		o := out{Family: json.RawMessage(j), Created: []*float64{}}
		for _, m := range mf.GetMetric() {
			var c *float64
			switch {
			case m.Counter != nil:
				c, err = createdIn(m.Counter.XXX_unrecognized, 3)
			case m.Summary != nil:
				c, err = createdIn(m.Summary.XXX_unrecognized, 4)
			case m.Histogram != nil:
				c, err = createdIn(m.Histogram.XXX_unrecognized, 15)
			}
			if err != nil {
				fail(err)
			}
			o.Created = append(o.Created, c)
		}
		all = append(all, o)
	}
	w := bufio.NewWriter(os.Stdout)
	if err := json.NewEncoder(w).Encode(all); err != nil {
		fail(err)
	}
	w.Flush()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "decode_protobuf:", err)
	os.Exit(1)
}
