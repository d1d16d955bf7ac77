package buildconfig

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"net/url"
	"path"
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// The functions of bake files: go-cty's standard library, hcl's try and
// can, a few of bake's own, and the user's function blocks. Functions
// whose value changes from run to run (timestamp, uuid) and those that
// read the machine (homedir) are left out: a call to them is unknown, so
// its value is dynamic. range and setproduct are left out too: they can
// make values of any size from a few bytes.
var bakeStdlib = map[string]function.Function{
	"absolute": stdlib.AbsoluteFunc, "add": stdlib.AddFunc, "and": stdlib.AndFunc,
	"byteslen": stdlib.BytesLenFunc, "bytesslice": stdlib.BytesSliceFunc,
	"can": tryfunc.CanFunc, "ceil": stdlib.CeilFunc, "chomp": stdlib.ChompFunc,
	"chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc,
	"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
	"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "csvdecode": stdlib.CSVDecodeFunc,
	"distinct": stdlib.DistinctFunc, "divide": stdlib.DivideFunc, "element": stdlib.ElementFunc,
	"equal": stdlib.EqualFunc, "flatten": stdlib.FlattenFunc, "floor": stdlib.FloorFunc,
	"format": stdlib.FormatFunc, "formatdate": stdlib.FormatDateFunc, "formatlist": stdlib.FormatListFunc,
	"greaterthan": stdlib.GreaterThanFunc, "greaterthanorequalto": stdlib.GreaterThanOrEqualToFunc,
	"hasindex": stdlib.HasIndexFunc, "indent": stdlib.IndentFunc, "index": stdlib.IndexFunc,
	"int": stdlib.IntFunc, "join": stdlib.JoinFunc, "jsondecode": stdlib.JSONDecodeFunc,
	"jsonencode": stdlib.JSONEncodeFunc, "keys": stdlib.KeysFunc, "length": stdlib.LengthFunc,
	"lessthan": stdlib.LessThanFunc, "lessthanorequalto": stdlib.LessThanOrEqualToFunc,
	"log": stdlib.LogFunc, "lookup": stdlib.LookupFunc, "lower": stdlib.LowerFunc,
	"max": stdlib.MaxFunc, "merge": stdlib.MergeFunc, "min": stdlib.MinFunc,
	"modulo": stdlib.ModuloFunc, "multiply": stdlib.MultiplyFunc, "negate": stdlib.NegateFunc,
	"not": stdlib.NotFunc, "notequal": stdlib.NotEqualFunc, "or": stdlib.OrFunc,
	"parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc, "regex": stdlib.RegexFunc,
	"regexall": stdlib.RegexAllFunc, "regex_replace": stdlib.RegexReplaceFunc,
	"replace": stdlib.ReplaceFunc, "reverse": stdlib.ReverseFunc, "reverselist": stdlib.ReverseListFunc,
	"sethaselement": stdlib.SetHasElementFunc, "setintersection": stdlib.SetIntersectionFunc,
	"setsubtract": stdlib.SetSubtractFunc, "setsymmetricdifference": stdlib.SetSymmetricDifferenceFunc,
	"setunion": stdlib.SetUnionFunc, "signum": stdlib.SignumFunc, "slice": stdlib.SliceFunc,
	"sort": stdlib.SortFunc, "split": stdlib.SplitFunc, "strlen": stdlib.StrlenFunc,
	"substr": stdlib.SubstrFunc, "subtract": stdlib.SubtractFunc, "timeadd": stdlib.TimeAddFunc,
	"title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
	"trimspace": stdlib.TrimSpaceFunc, "trimsuffix": stdlib.TrimSuffixFunc, "try": tryfunc.TryFunc,
	"upper": stdlib.UpperFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
	"base64encode": stringFunc(func(s string) (string, error) { return base64.StdEncoding.EncodeToString([]byte(s)), nil }),
	"base64decode": stringFunc(func(s string) (string, error) {
		b, err := base64.StdEncoding.DecodeString(s)
		return string(b), err
	}),
	"md5":       hashFunc(md5.New),
	"sha1":      hashFunc(sha1.New),
	"sha256":    hashFunc(sha256.New),
	"sha512":    hashFunc(sha512.New),
	"urlencode": stringFunc(func(s string) (string, error) { return url.QueryEscape(s), nil }),
	"basename":  stringFunc(func(s string) (string, error) { return path.Base(s), nil }),
	"dirname":   stringFunc(func(s string) (string, error) { return path.Dir(s), nil }),
	"sanitize": stringFunc(func(s string) (string, error) {
		return nonWord.ReplaceAllString(s, "_"), nil
	}),
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9_]`)

func stringFunc(f func(string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "s", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			s, err := f(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(s), nil
		},
	})
}

func hashFunc(h func() hash.Hash) function.Function {
	return stringFunc(func(s string) (string, error) {
		x := h()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil)), nil
	})
}

// widthRe finds a format verb width or precision too large to be meant.
var widthRe = regexp.MustCompile(`%[-+# 0]*[0-9]{5,}|\.[0-9]{5,}`)

// stdlib returns the functions of a project, each counting its calls.
func (p *bakeProject) stdlib() map[string]function.Function {
	out := make(map[string]function.Function, len(bakeStdlib))
	for name, f := range bakeStdlib {
		out[name] = p.guard(name, f)
	}
	return out
}

var errBakeBudget = errors.New("bake evaluation budget spent")

// guard wraps a function so that it counts against the project's budget of
// calls and refuses format widths that would make huge strings.
func (p *bakeProject) guard(name string, f function.Function) function.Function {
	if name == "can" || name == "try" {
		return f // they take expressions, not values
	}
	spec := &function.Spec{
		Params:   f.Params(),
		VarParam: f.VarParam(),
		Type:     f.ReturnTypeForValues,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p.calls++
			if p.calls > bakeMaxCalls {
				return cty.NilVal, errBakeBudget
			}
			if (name == "format" || name == "formatlist") && len(args) > 0 && args[0].IsKnown() && !args[0].IsNull() && args[0].Type() == cty.String {
				if widthRe.MatchString(args[0].AsString()) {
					return cty.NilVal, errors.New("format width too large")
				}
			}
			return f.Call(args)
		},
	}
	return function.New(spec)
}

// function defines a user function: params = [a, b], variadic_params = c,
// result = expression.
func (p *bakeProject) function(name string, attrs hcl.Attributes) {
	bf := &bakeFunc{name: name}
	if a := attrs["params"]; a != nil {
		exprs, _ := hcl.ExprList(a.Expr)
		for _, e := range exprs {
			if k := hcl.ExprAsKeyword(e); k != "" {
				bf.params = append(bf.params, k)
			} else if v, diags := e.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
				bf.params = append(bf.params, v.AsString())
			}
		}
	}
	if a := attrs["variadic_params"]; a != nil {
		if k := hcl.ExprAsKeyword(a.Expr); k != "" {
			bf.variadic = k
		} else if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			bf.variadic = v.AsString()
		}
	}
	if a := attrs["result"]; a != nil {
		bf.result = a.Expr
	}
	p.funcs[name] = bf
	params := make([]function.Parameter, len(bf.params))
	for i, n := range bf.params {
		params[i] = function.Parameter{Name: n, Type: cty.DynamicPseudoType, AllowNull: true}
	}
	var vp *function.Parameter
	if bf.variadic != "" {
		vp = &function.Parameter{Name: bf.variadic, Type: cty.DynamicPseudoType, AllowNull: true}
	}
	p.ctx.Functions[name] = function.New(&function.Spec{
		Params:   params,
		VarParam: vp,
		Type:     function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p.calls++
			if p.calls > bakeMaxCalls {
				return cty.NilVal, errBakeBudget
			}
			if bf.result == nil {
				return cty.NilVal, errors.New("function has no result")
			}
			if tooBig(cty.TupleVal(args)) {
				return cty.NilVal, errors.New("function arguments too large")
			}
			if p.depth >= bakeMaxFuncNest {
				return cty.NilVal, errors.New("functions call each other too deep")
			}
			p.depth++
			defer func() { p.depth-- }()
			ctx := p.ctx.NewChild()
			ctx.Variables = map[string]cty.Value{}
			for i, n := range bf.params {
				if i < len(args) {
					ctx.Variables[n] = args[i]
				}
			}
			if bf.variadic != "" {
				rest := []cty.Value{}
				if len(args) > len(bf.params) {
					rest = args[len(bf.params):]
				}
				ctx.Variables[bf.variadic] = cty.TupleVal(rest)
			}
			v, diags := bf.result.Value(ctx)
			if diags.HasErrors() {
				return cty.DynamicVal, nil
			}
			if tooBig(v) {
				return cty.NilVal, errors.New("function result too large")
			}
			return v, nil
		},
	})
}
